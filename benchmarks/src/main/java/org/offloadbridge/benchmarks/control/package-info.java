/** {@code obctl dump-flows} end to end over the control socket, at 100 to 100,000 flows. */
package org.offloadbridge.benchmarks.control;
