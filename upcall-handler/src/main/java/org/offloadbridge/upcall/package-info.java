/**
 * The rule pipeline (OpenFlow-like tables to actions plus a megaflow mask), handler threads, and the decision where each megaflow is installed, with fallback.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.upcall;
