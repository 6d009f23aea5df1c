package org.offloadbridge.systemd;

import java.util.concurrent.atomic.AtomicReference;
import org.offloadbridge.daemon.Reloader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP reloads the configuration, as it does for nginx and sshd ({@code systemctl reload}
 * runs {@code obctl reload} instead, which also brings the answer back). The handler is
 * installed at once (the JVM's own SIGHUP handling would run the shutdown hooks: a stop), and
 * until the daemon is up a SIGHUP is logged and ignored. Each reload's lines go to the log, a
 * failed one at warn; the systemd STATUS says when the last one was and how it went.
 *
 * <p>{@code sun.misc.Signal} is in {@code jdk.unsupported}, exported to the class path without
 * flags; there is no supported API for SIGHUP. The handler runs on a thread the JVM starts per
 * signal, so a reload never runs on the JVM's signal dispatcher.
 */
final class ReloadSignal {
    private static final Logger LOG = LoggerFactory.getLogger("offload-bridge");

    private final AtomicReference<Reloader> reloader = new AtomicReference<>();
    private final SdNotify notify;

    private ReloadSignal(SdNotify notify) {
        this.notify = notify;
    }

    /**
     * Installs the handler; returns null (logged) when the JVM refuses SIGHUP (e.g. run with
     * -Xrs) or keeps it ignored: a process started with SIGHUP ignored ({@code nohup}, a parent
     * that ignores it) keeps it so — the JVM takes the handler but never calls it — and the
     * operator must learn that from the log, not from a reload that silently does nothing.
     */
    static ReloadSignal install(SdNotify notify) {
        ReloadSignal r = new ReloadSignal(notify);
        try {
            SignalHandler old = Signal.handle(new Signal("HUP"), s -> r.onHup());
            if (old == SignalHandler.SIG_IGN) {
                LOG.warn("SIGHUP was ignored when this process started (nohup, or a parent that ignores it), and "
                    + "stays ignored: SIGHUP does not reload; use obctl reload");
                return null;
            }
            return r;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGHUP cannot be handled here ({}); use obctl reload", e.getMessage());
            return null;
        }
    }

    /** From now on SIGHUP runs {@code r}. */
    void ready(Reloader r) {
        reloader.set(r);
    }

    private void onHup() {
        Reloader r = reloader.get();
        if (r == null) {
            LOG.warn("SIGHUP while starting: ignored (reload once started)");
            return;
        }
        Reloader.Result res = r.reload();
        for (String line : res.text().split("\n")) {
            if (res.ok()) {
                LOG.info("reload: {}", line);
            } else {
                LOG.warn("reload: {}", line);
            }
        }
        try {
            notify.status(res.ok() ? "running; reloaded on SIGHUP" : "running; reload on SIGHUP failed, see the journal");
        } catch (java.io.IOException e) {
            LOG.debug("sd_notify STATUS: {}", e.getMessage());
        }
    }
}
