package org.tribuoadapt.core.safetensors;

import java.io.IOException;

/**
 * Signals that bytes claiming to be in the safetensors format are malformed.
 * <p>
 * The message says exactly what is wrong (which tensor, which field, the expected and actual
 * byte counts) and, when the data was read from a file, which file.
 */
public class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with the given description of the problem.
     *
     * @param message what is wrong with the input.
     */
    public SafetensorsFormatException(String message) {
        super(message);
    }

    /**
     * Creates an exception with the given description of the problem and its underlying cause.
     *
     * @param message what is wrong with the input.
     * @param cause   the lower-level failure (for example a JSON parse error).
     */
    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
