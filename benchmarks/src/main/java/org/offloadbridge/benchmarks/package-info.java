/**
 * JMH benchmarks, kept in their own module because JMH generates code from main sources and runs from its own jar.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.benchmarks;
