package org.tribuoadapt.examples.bench.hpo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The configuration files the search benchmarks tune: class-balanced Fashion-MNIST training and validation data
 * sources named {@code train} and {@code valid}, followed by the benchmark's own network, optimiser and trainer.
 */
final class StudyConfigFile {

    private StudyConfigFile() {}

    /**
     * The four IDX files of a Fashion-MNIST directory: training images and labels, then test images and labels (the
     * validation data).
     * @param directory The directory, or a {@code classpath:} prefix ending in a slash.
     * @return The locations.
     */
    static List<String> fashionMnist(String directory) {
        return List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz").stream()
                .map(f -> directory.startsWith("classpath:") ? directory + f : Paths.get(directory, f).toString()).toList();
    }

    /**
     * Writes a configuration file.
     * @param file The file.
     * @param images Training images, training labels, validation images and validation labels.
     * @param trainPerClass Training images per class.
     * @param validPerClass Validation images per class (the first of each class).
     * @param components The other components, as XML.
     * @return The file.
     * @throws IOException If it cannot be written.
     */
    static Path write(Path file, List<String> images, int trainPerClass, int validPerClass, String components)
            throws IOException {
        return Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="train" type="org.tribuoadapt.core.data.IDXImageDataSource">
                        <property name="imagesLocation" value="%s"/>
                        <property name="labelsLocation" value="%s"/>
                        <property name="maxPerClass" value="%d"/>
                    </component>
                    <component name="valid" type="org.tribuoadapt.core.data.IDXImageDataSource">
                        <property name="imagesLocation" value="%s"/>
                        <property name="labelsLocation" value="%s"/>
                        <property name="maxPerClass" value="%d"/>
                    </component>
                %s</config>
                """.formatted(images.get(0), images.get(1), trainPerClass, images.get(2), images.get(3), validPerClass,
                components.indent(4)));
    }
}
