package org.tribuoadapt.peft.io;

import java.io.IOException;

/**
 * An adapter file that is missing, corrupt, or describes an adapter this project cannot build. The message names the
 * file and the problem.
 */
public final class AdapterFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     * @param message What is wrong, naming the file.
     */
    public AdapterFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception.
     * @param message What is wrong, naming the file.
     * @param cause The underlying error.
     */
    public AdapterFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
