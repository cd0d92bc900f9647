package org.tribuoadapt.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The classes that the library redesign renamed, moved or replaced (the table in {@code renamed-classes.properties}),
 * so that a configuration file written for an older version fails with a message naming what to use instead, rather
 * than with a bare "class not found".
 */
final class RenamedClasses {

    private static final Map<String, String> RENAMED = load();

    private RenamedClasses() {}

    private static Map<String, String> load() {
        Properties table = new Properties();
        try (InputStream in = RenamedClasses.class.getResourceAsStream("renamed-classes.properties")) {
            if (in == null) {
                throw new IllegalStateException("renamed-classes.properties is missing from the application jar");
            }
            table.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> out = new TreeMap<>();
        table.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    /**
     * What a failure's old class names became, if any message in its cause chain names one.
     * @param failure The failure.
     * @return A sentence such as "X is now Y", or empty.
     */
    static Optional<String> hint(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            for (Map.Entry<String, String> e : RENAMED.entrySet()) {
                if (Pattern.compile(Pattern.quote(e.getKey()) + "(?![\\w.$])").matcher(message).find()) {
                    return Optional.of(e.getKey() + " no longer exists; use " + e.getValue());
                }
            }
        }
        return Optional.empty();
    }
}
