package org.offloadbridge.systemd;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.agrona.concurrent.AgentRunner;
import org.offloadbridge.daemon.Daemon;
import org.offloadbridge.daemon.DaemonCommands;
import org.offloadbridge.daemon.DaemonSettings;
import org.offloadbridge.daemon.Reloader;
import org.offloadbridge.daemon.config.CheckCommand;
import org.offloadbridge.daemon.config.Config;
import org.offloadbridge.daemon.config.ConfigError;
import org.offloadbridge.daemon.config.ConfigException;
import org.offloadbridge.daemon.config.ConfigParser;
import org.offloadbridge.daemon.AwaitingIdleStrategy;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.daemon.metrics.DaemonMetrics;
import org.offloadbridge.daemon.logging.LogLevels;
import org.offloadbridge.daemon.metrics.MetricsServer;
import org.offloadbridge.daemon.metrics.Scrapes;
import org.offloadbridge.flow.MonotonicClock;
import org.offloadbridge.upcall.DatapathConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code offload-bridge}: the service's command line. {@code run} starts the daemon from the
 * config file and tells systemd about it (READY once ports are attached and tc's flows
 * adopted, STATUS, WATCHDOG from the main loop every third of {@code WatchdogSec}, STOPPING);
 * {@code check} validates config and rules without touching the kernel (as {@code nginx -t}).
 * {@code obctl reload} and SIGHUP re-read the config file ({@link Reloader}); {@code log-level}
 * sets the root log level at start unless {@code OB_LOG_LEVEL} is set for the run.
 *
 * <p>For tests only, {@link DebugHangHook} ({@code OB_DEBUG_HANG_HOOK}, unset in the shipped unit)
 * can stop that main loop so the watchdog's kill and restart can be observed.
 *
 * <p>It lives in the systemd module because READY and the watchdog are systemd's protocol;
 * the daemon module knows nothing of systemd.
 */
@Command(name = "offload-bridge", mixinStandardHelpOptions = true, version = "offload-bridge 0.1.0",
    description = "Flow offload daemon: datapath flows into tc flower (NIC e-switch or kernel), DPDK as fallback.",
    subcommands = {OffloadBridgeMain.Run.class, CheckCommand.class})
public final class OffloadBridgeMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger("offload-bridge");
    /** How long SIGTERM waits for the clean stop; below systemd's TimeoutStopSec. */
    static final int STOP_TIMEOUT_SECONDS = 20;

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new OffloadBridgeMain()).execute(args));
    }

    /** {@code offload-bridge run --config FILE}: the service itself. */
    @Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the daemon with FILE's settings until SIGTERM (exit 1 on a bad config, naming every error).")
    static final class Run implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "config file (default: ${DEFAULT-VALUE})")
        Path config = Config.DEFAULT_PATH;

        @Override
        public Integer call() throws Exception {
            Config cfg;
            try {
                if (!Files.isRegularFile(config)) {
                    System.err.println(config + ": no such config file (offload-bridge run --config FILE; docs/configuration.md)");
                    return 1;
                }
                cfg = new ConfigParser().parse(config);
            } catch (ConfigException e) {
                for (ConfigError err : e.errors()) {
                    System.err.println(err);
                }
                return 1;
            }
            String caps = org.offloadbridge.daemon.Capabilities.checkSelf();
            if (caps != null) {
                System.err.println("offload-bridge: " + caps);
                SdNotify.fromEnvironment().status("start failed: " + caps);
                return 1;
            }
            // log-level, unless OB_LOG_LEVEL says otherwise for this one run (logback.xml reads it)
            if (System.getenv("OB_LOG_LEVEL") == null) {
                LogLevels.setRoot(cfg.logLevel().text());
            }
            String rules = cfg.rulesFile().isPresent() ? Files.readString(cfg.rulesFile().get()) : "";
            List<String> ports = new ArrayList<>();
            List<String> eswitches = new ArrayList<>();
            java.util.Map<String, Integer> ofPorts = new java.util.HashMap<>();
            List<Config.TunnelPort> tunnels = new ArrayList<>();
            for (Config.PortSpec p : cfg.ports()) {
                switch (p) {
                    case Config.NamedPort n -> {
                        ports.add(n.name());
                        n.ofPort().ifPresent(of -> ofPorts.put(n.name(), of));
                    }
                    case Config.EswitchPorts e -> eswitches.add(e.devlinkHandle());
                    case Config.TunnelPort t -> tunnels.add(t);
                }
            }
            DatapathConfig dc = new DatapathConfig().hwOffload(cfg.hwOffload()).tcPolicy(cfg.tcPolicy())
                .maxIdleMillis(cfg.maxIdleMillis()).maxRevalidatorMillis(cfg.maxRevalidatorMillis()).flowLimit(cfg.flowLimit())
                .hwCapacity(cfg.hwCapacity()).hwWatermark(cfg.hwWatermark())
                .handlerThreads(cfg.handlerThreads()).revalidatorThreads(cfg.revalidatorThreads());
            DaemonSettings s = new DaemonSettings(dc, ports, ofPorts, eswitches, rules, cfg.dpdk().enabled(), cfg.dpdk().ealArgs(), false,
                Math.max(1, cfg.dpdk().pmdCores().size()), cfg.stopRemovesFlows(), cfg.offloadDefault(), tunnels);
            SdNotify notify = SdNotify.fromEnvironment();
            ReloadSignal hup = ReloadSignal.install(notify);
            CountDownLatch stop = new CountDownLatch(1);
            // The JVM halts when its shutdown hooks return: the hook waits for the main thread's
            // clean stop (threads joined, tc flows flushed if stop-removes-flows), or a SIGTERM
            // would cut it short and leave half of what a clean stop promises.
            CountDownLatch stopped = new CountDownLatch(1);
            Daemon started;
            try {
                started = Daemon.start(s, MonotonicClock.SYSTEM);
            } catch (RuntimeException e) {
                // One line that says what and where (the kernel's text is in the message); the
                // stack trace only at debug level.
                LOG.error("start failed: {}", e.getMessage());
                LOG.debug("start failed", e);
                notify.status("start failed: " + e.getMessage());
                return 1;
            }
            try (Daemon d = started;
                 ControlServer control = new ControlServer(ControlServer.Context.of(cfg.control().socket(), cfg.control().group()))) {
                DaemonCommands.register(control, d);
                d.setEswitchHwLimits(cfg.eswitchHwLimits()); // before the first round's placement
                Reloader reloader = new Reloader(config, cfg, new ConfigParser(), d);
                reloader.register(control);
                if (hup != null) {
                    hup.ready(reloader);
                }
                control.open();
                AgentRunner controlRunner = new AgentRunner(new AwaitingIdleStrategy(control::await, 100), t -> LOG.error("control", t), null, control);
                AgentRunner.startOnThread(controlRunner);
                MetricsServer metrics = null;
                if (cfg.metrics().listen().isPresent()) {
                    PrometheusMeterRegistry registry = MetricsServer.newRegistry();
                    Scrapes scrapes = new Scrapes();
                    DaemonMetrics.bind(registry, scrapes, d);
                    metrics = MetricsServer.start(registry, scrapes, cfg.metrics().listen().get());
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        notify.stopping();
                    } catch (IOException e) {
                        LOG.warn("sd_notify STOPPING: {}", e.getMessage());
                    }
                    stop.countDown();
                    try {
                        if (!stopped.await(STOP_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
                            LOG.warn("clean stop took over {} s; exiting anyway", STOP_TIMEOUT_SECONDS);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "shutdown"));
                notify.status("running: " + d.ports().snapshot().entries().size() + " ports, " + d.mode() + " software datapath, " + d.adopted() + " flows adopted");
                notify.ready();
                LOG.info("ready: {} ports, control socket {}", d.ports().snapshot().entries().size(), cfg.control().socket());
                long wd = notify.watchdogIntervalMillis();
                // Test-only (tests/vm/systemd-test): off unless OB_DEBUG_HANG_HOOK names a file.
                DebugHangHook hang = DebugHangHook.from(System.getenv());
                hang.trigger().ifPresent(f -> LOG.warn("debug hang hook armed ({}={}): that file stops the main loop and its watchdog pings; a test setting, never for production",
                    DebugHangHook.ENV, f));
                while (!stop.await(wd > 0 ? Math.max(100, wd / 3) : 1_000, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (hang.triggered()) {
                        LOG.warn("debug hang hook: {} exists; the main loop stops here (no more watchdog pings) until SIGTERM", hang.trigger().get());
                        notify.status("hung on purpose by the debug hang hook (" + hang.trigger().get() + ")");
                        stop.await();
                        break;
                    }
                    if (wd > 0) {
                        notify.watchdog();
                    }
                }
                controlRunner.close();
                if (metrics != null) {
                    metrics.close();
                }
            } finally {
                LOG.info("stopped");
                stopped.countDown();
            }
            return 0;
        }
    }
}
