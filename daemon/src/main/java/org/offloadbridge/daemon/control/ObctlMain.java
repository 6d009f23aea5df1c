package org.offloadbridge.daemon.control;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code obctl [--socket PATH] COMMAND [ARG...]}: one command to the running daemon, as
 * {@code ovs-appctl} does it. The command set lives in the daemon ({@code obctl list-commands});
 * {@code obctl COMMAND --help} asks the daemon for that command's usage.
 */
@Command(name = "obctl", mixinStandardHelpOptions = true, version = "obctl 0.1.0",
        description = "Send a command to the running offload-bridge daemon over its control socket.",
        footer = {"", "Run `obctl list-commands` for the commands the daemon knows, `obctl COMMAND --help` for one."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the command succeeded", "1:the command failed (the daemon says why)",
            "2:usage error (bad option, unknown command or arguments)", "3:cannot reach the daemon (the socket path and cause are printed)"})
public final class ObctlMain implements Callable<Integer> {
    public static final int EXIT_UNREACHABLE = 3;

    @Spec
    CommandSpec spec;

    @Option(names = {"-s", "--socket"}, paramLabel = "PATH", description = "control socket (default: $OBCTL_SOCKET or ${DEFAULT-VALUE})",
            defaultValue = "${env:OBCTL_SOCKET:-/run/offload-bridge/obctl.sock}") // = Config.DEFAULT_CONTROL_SOCKET
    Path socket;

    @Option(names = {"-T", "--timeout"}, paramLabel = "SECS", description = "give up after SECS seconds; 0 waits forever (default: ${DEFAULT-VALUE})",
            defaultValue = "30", converter = AsciiInt.class)
    int timeoutSeconds;

    /** An int option in ASCII digits: picocli's own converter reads {@code -T ١٠} as 10. */
    static final class AsciiInt implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return org.offloadbridge.flow.AsciiNumber.parseInt(value);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + org.offloadbridge.flow.Excerpt.escape(value, 40) + "' is not a number: "
                    + e.getMessage());
            }
        }
    }

    @Parameters(index = "0", paramLabel = "COMMAND", description = "the command, e.g. list-commands", completionCandidates = KnownCommands.class)
    String command;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "the command's arguments (passed as written, --help included)")
    List<String> args = new ArrayList<>();

    /** The commands completion offers before a daemon is asked; the daemon's list is the truth. */
    static final class KnownCommands implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return CommandCatalog.names().iterator();
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (timeoutSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be 0 or more seconds");
        }
        String input = null;
        String file = fileArgument(command, args);
        if (file != null) {
            try {
                input = readFile(file);
            } catch (IOException e) {
                err.println("obctl: " + command + ": " + e.getMessage());
                err.flush();
                return 1;
            }
        }
        ControlProtocol.Request req = new ControlProtocol.Request(command, args, input);
        if (input != null && ControlProtocol.encode(req).remaining() - ControlProtocol.HEADER_BYTES > ControlProtocol.MAX_REQUEST_BYTES) {
            err.println("obctl: " + command + ": " + file + " is larger than a request may carry ("
                + ControlProtocol.MAX_REQUEST_BYTES + " bytes): name it as the config's rules-file and run obctl reload");
            err.flush();
            return 1;
        }
        // The text of a good reply goes straight to standard output as it arrives (a dump of
        // 100,000 flows is 30 MB: decoding it first doubled obctl's time); a failure's text is
        // short and is printed with obctl's prefix.
        ByteArrayOutputStream failure = new ByteArrayOutputStream();
        OutputStream okSink = stdout;
        ControlClient.Streamed r;
        try {
            r = ControlClient.stream(socket, req, timeoutSeconds * 1000L, status -> status == ControlProtocol.OK ? okSink : failure);
            okSink.flush();
        } catch (ControlClient.UnreachableException e) {
            err.println("obctl: " + e.getMessage());
            err.flush();
            return EXIT_UNREACHABLE;
        } catch (IOException e) {
            err.println("obctl: cannot write the reply to standard output: " + e.getMessage());
            err.flush();
            return 1;
        }
        if (r.status() == ControlProtocol.OK) {
            if (!r.endsLine()) {
                out.println();
            }
            out.flush();
        } else if (failure.size() > 0) {
            String text = failure.toString(StandardCharsets.UTF_8);
            err.print("obctl: " + command + ": " + text);
            if (!text.endsWith("\n")) {
                err.println();
            }
            err.flush();
        }
        return switch (r.status()) {
            case ControlProtocol.OK -> 0;
            case ControlProtocol.USAGE -> 2;
            default -> 1;
        };
    }

    /**
     * Commands whose FILE obctl reads and sends with the request, as ovs-ofctl reads its flow
     * files itself: the daemon, in its own mount namespace with a private /tmp, may not see the
     * operator's file.
     */
    static final java.util.Set<String> SENDS_FILE = java.util.Set.of("add-flows", "replace-flows");

    /**
     * The FILE obctl reads for {@code command} ({@code replace-flows [--allow-empty] FILE}), or
     * null: not such a command, no FILE or more than one (the daemon says what is wrong), or help.
     */
    static String fileArgument(String command, List<String> args) {
        if (!SENDS_FILE.contains(command) || args.contains("--help") || args.contains("-h")) {
            return null;
        }
        String file = null;
        for (String a : args) {
            if (a.equals("-") || !a.startsWith("-")) {
                if (file != null) {
                    return null;
                }
                file = a;
            }
        }
        return file;
    }

    /** FILE's text ({@code -}: standard input). */
    static String readFile(String name) throws IOException {
        byte[] b;
        try {
            b = name.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(name));
        } catch (NoSuchFileException e) {
            throw new IOException(name + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(name + ": permission denied", e);
        } catch (IOException e) {
            throw new IOException(name + ": cannot read: " + e.getMessage(), e);
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The command line, configured as obctl runs it: options only before COMMAND. */
    private static CommandLine commandLine(ObctlMain obctl) {
        return new CommandLine(obctl).setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(false);
    }

    /** Where a good reply's text is copied, bytes as they come (picocli's writer is {@code out} over it). */
    private OutputStream stdout;

    public static void main(String[] argv) {
        System.exit(run(argv, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err)));
    }

    /** Runs obctl as {@link #main} does, with its output on {@code out} and {@code err}; returns its exit status. */
    public static int run(String[] argv, OutputStream out, OutputStream err) {
        ObctlMain obctl = new ObctlMain();
        obctl.stdout = new BufferedOutputStream(out, 1 << 16);
        CommandLine cl = commandLine(obctl);
        cl.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
        return cl.execute(argv);
    }
}
