/**
 * The configuration file ({@code /etc/offload-bridge/offload-bridge.conf}, TOML): parsing,
 * validation in one place ({@link org.offloadbridge.daemon.config.ConfigParser}, as Aeron's
 * {@code Context.conclude()}), the immutable {@link org.offloadbridge.daemon.config.Config} it
 * yields, what a reload may apply live ({@link org.offloadbridge.daemon.config.ConfigDiff}), and
 * {@code offload-bridge check} ({@link org.offloadbridge.daemon.config.CheckCommand}), which
 * validates a config and a rules file without a daemon and without touching the kernel.
 *
 * <p>Every error names file:line(:column), the key and what is allowed; all errors are
 * collected, not only the first. See docs/configuration.md for every key.
 */
package org.offloadbridge.daemon.config;
