package org.tribuoadapt.hpo.search.objective;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration file that the search tests tune: a one-hidden-layer MLP trained by Adam for 3 epochs on
 * {@link SyntheticBarsSource} images ({@code train}, seed 1) and validated on 30 others ({@code valid}, seed 2). Its
 * components are {@code mlp}, {@code adam} and {@code trainer}.
 */
public final class MlpBarsConfig {

    private static final String RESOURCE = "mlp-bars.xml";

    private MlpBarsConfig() {}

    /**
     * Writes the configuration into a directory.
     * @param dir The directory.
     * @return The written file, {@code dir/mlp.xml}.
     * @throws IOException If it cannot be written.
     */
    public static Path copyTo(Path dir) throws IOException {
        try (InputStream in = MlpBarsConfig.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + RESOURCE + " is missing");
            }
            Path file = dir.resolve("mlp.xml");
            Files.copy(in, file);
            return file;
        }
    }
}
