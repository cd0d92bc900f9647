package org.tribuoadapt.examples;

/**
 * One subcommand of the command line.
 */
interface CliCommand {

    /**
     * The subcommand's name.
     * @return The name.
     */
    String name();

    /**
     * A one-line description.
     * @return The description.
     */
    String description();

    /**
     * Runs the subcommand.
     * @param args The arguments after the subcommand name.
     * @return The exit status.
     * @throws Exception on failure; the message is shown to the user.
     */
    int run(String[] args) throws Exception;
}
