package org.tribuoadapt.examples;

import com.oracle.labs.mlrg.olcut.config.ArgumentException;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.config.UsageException;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code tribuo-adapt} command line: {@code run}, {@code train}, {@code evaluate}, {@code reproduce},
 * {@code bench} and {@code peft}. Every command reads OLCUT configuration files ({@code -c file.xml}) and accepts
 * {@code --@component.property value} overrides, as Tribuo's own tools do.
 */
public final class Main {

    /** Held so that its level is not lost when the logger is garbage collected. */
    private static final Logger DJL_LOGGER = Logger.getLogger("ai.djl");

    private Main() {}

    /**
     * The commands by name.
     * @return An ordered map of commands.
     */
    static Map<String, CliCommand> commands() {
        Map<String, CliCommand> commands = new LinkedHashMap<>();
        for (CliCommand c : new CliCommand[] {new RunCommand(), new TrainCommand(), new EvaluateCommand(),
                new ReproduceCommand(), new BenchCommand(), new PeftCommand(), new HpoCommand()}) {
            commands.put(c.name(), c);
        }
        return commands;
    }

    /**
     * Runs a command and exits with its status, in a child JVM whose PyTorch threads wait passively unless the
     * environment already says how they wait (see {@link PassiveThreadsLauncher}).
     * @param args The command name followed by its arguments.
     */
    public static void main(String[] args) {
        OptionalInt relaunched = PassiveThreadsLauncher.relaunchIfNeeded(Main.class, args);
        System.exit(relaunched.isPresent() ? relaunched.getAsInt() : execute(args));
    }

    /**
     * Runs a command.
     * @param args The command name followed by its arguments.
     * @return The exit status: 0 on success, 1 on failure, 2 on a usage error.
     */
    static int execute(String[] args) {
        Logger.getLogger("").setLevel(Level.WARNING);
        // DJL warns on every start that there is no CUDA driver; this CLI runs on the CPU by design
        DJL_LOGGER.setLevel(Level.SEVERE);
        Map<String, CliCommand> commands = commands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(usage(commands));
            return args.length == 0 ? 2 : 0;
        }
        CliCommand command = commands.get(args[0]);
        if (command == null) {
            System.err.println("unknown command '" + args[0] + "'\n\n" + usage(commands));
            return 2;
        }
        try {
            return command.run(Arrays.copyOfRange(args, 1, args.length));
        } catch (UsageException e) {
            System.out.println(e.getUsage());
            return 0;
        } catch (ArgumentException | PropertyException | IllegalArgumentException e) {
            System.err.println("tribuo-adapt " + command.name() + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("tribuo-adapt " + command.name() + " failed: " + describe(e));
            Logger.getLogger(Main.class.getName()).log(Level.FINE, "failure", e);
            return 1;
        }
    }

    /**
     * A failure in words: the file-system exceptions of {@code java.nio.file} carry only a path as their message, and a
     * configuration that names a class the library redesign renamed or replaced gets the name to use instead.
     * @param e The failure.
     * @return What went wrong, naming the file where there is one.
     */
    static String describe(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + " does not exist";
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied for " + denied.getFile();
        }
        if (e instanceof FileAlreadyExistsException exists) {
            return exists.getFile() + " already exists";
        }
        if (e instanceof FileSystemException other) {
            return "cannot use " + other.getFile() + (other.getReason() != null ? ": " + other.getReason() : "");
        }
        String message = e.getMessage() != null ? e.getMessage() : e.toString();
        return RenamedClasses.hint(e).map(hint -> message + " (" + hint + ")").orElse(message);
    }

    private static String usage(Map<String, CliCommand> commands) {
        StringBuilder b = new StringBuilder("usage: java -jar tribuo-adapt.jar <command> [options]\n\ncommands:\n");
        for (CliCommand c : commands.values()) {
            b.append(String.format("  %-10s %s%n", c.name(), c.description()));
        }
        b.append("\nEach command takes --help. Configuration files are OLCUT XML (-c file.xml); override any property with "
                + "--@component.property value.");
        return b.toString();
    }
}
