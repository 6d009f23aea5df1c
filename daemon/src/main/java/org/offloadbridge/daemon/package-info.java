/**
 * The composition root: configuration, port registry, control socket and the obctl CLI, Prometheus endpoint.
 *
 * <p>Not built yet: this module holds only its build file and this description.
 */
package org.offloadbridge.daemon;
