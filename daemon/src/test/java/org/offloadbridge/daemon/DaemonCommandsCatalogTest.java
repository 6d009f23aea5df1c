package org.offloadbridge.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.offloadbridge.daemon.control.CommandCatalog;
import org.offloadbridge.daemon.control.ControlClient;
import org.offloadbridge.daemon.control.ControlProtocol.Reply;
import org.offloadbridge.daemon.control.ControlServer;
import org.offloadbridge.daemon.control.PeerPolicy;
import org.offloadbridge.flow.MonotonicClock;

/**
 * obctl's completion offers {@link CommandCatalog}'s commands when no daemon is up to ask; this
 * holds that table to what {@link DaemonCommands#register} really registers, name and usage,
 * through a real control socket's {@code list-commands}. When it fails, add the new command (or
 * its new usage) to {@code CommandCatalog.COMMANDS}.
 */
class DaemonCommandsCatalogTest {
    @Test
    void catalogIsWhatTheDaemonRegisters(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("obctl.sock");
        ControlServer server = new ControlServer(new ControlServer.Context(sock, null, new PeerPolicy("root", "root", Set.of()),
            MonotonicClock.SYSTEM, 5_000, 60_000, 4));
        // The handlers are never called: no daemon is needed to register them, only a view whose
        // every answer is null.
        DaemonView none = (DaemonView) java.lang.reflect.Proxy.newProxyInstance(DaemonView.class.getClassLoader(),
            new Class<?>[] {DaemonView.class}, (proxy, method, args) -> null);
        DaemonCommands.register(server, none);
        new Reloader(null, null, null, null).register(server);
        server.open();
        AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null, server);
        AgentRunner.startOnThread(runner);
        try {
            Reply r = ControlClient.call(sock, "list-commands", List.of(), 10_000);
            assertEquals(CommandCatalog.listing(), r.text(),
                "CommandCatalog.COMMANDS (obctl's completion) must list what DaemonCommands registers");
        } finally {
            runner.close();
        }
    }
}
