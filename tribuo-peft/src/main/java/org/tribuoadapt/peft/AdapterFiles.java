package org.tribuoadapt.peft;

import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.io.AdapterFormatException;
import org.tribuoadapt.peft.io.PeftConfigJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads and writes adapters in Hugging Face PEFT's format: a directory holding {@value #CONFIG_FILE} (the method's
 * configuration, PEFT's field names) and {@value #WEIGHTS_FILE} (the adapter's tensors under
 * {@code base_model.model.<module>.<tensor>} names, PyTorch layouts). Files PEFT's {@code save_pretrained} writes
 * load here, and adapters saved here load in PEFT.
 * <p>
 * The configuration is read and written by the method its {@code peft_type} names, found in the registry of methods
 * ({@link PeftMethods}): LoRA, IA3, LoHa, LoKr, VeRA and RandLoRA with PEFT's types, the seed methods with their own.
 */
public final class AdapterFiles {

    /** The configuration file's name. */
    public static final String CONFIG_FILE = "adapter_config.json";
    /** The tensor file's name. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private AdapterFiles() {}

    /**
     * Loads an adapter directory.
     * @param directory The directory.
     * @return The configuration, the tensors and the files' hashes.
     * @throws AdapterFormatException naming the file and the problem if a file is missing, corrupt or describes
     * something this project does not implement.
     * @throws IOException if a file cannot be read.
     * @throws IllegalArgumentException naming the file and tensor if a weight is NaN or infinite.
     */
    public static LoadedAdapter load(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new AdapterFormatException("adapter directory " + directory + " does not exist or is not a directory");
        }
        Path configFile = directory.resolve(CONFIG_FILE);
        Path weightsFile = directory.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new AdapterFormatException("no " + CONFIG_FILE + " in " + directory);
        }
        if (!Files.isRegularFile(weightsFile)) {
            boolean pickle = Files.exists(directory.resolve("adapter_model.bin"));
            throw new AdapterFormatException("no " + WEIGHTS_FILE + " in " + directory + (pickle
                    ? " (adapter_model.bin is a PyTorch pickle, which is not read; save with safe_serialization=True)" : ""));
        }
        byte[] configBytes = Files.readAllBytes(configFile);
        byte[] weightBytes = Files.readAllBytes(weightsFile);
        AdapterSpec spec = parseConfig(configBytes, configFile.toString());
        SafetensorsFile weights;
        try {
            weights = SafetensorsReader.read(weightBytes);
        } catch (SafetensorsFormatException e) {
            throw new AdapterFormatException(weightsFile + " is not a valid safetensors file: " + e.getMessage(), e);
        }
        weights.requireFinite(weightsFile.toString());
        Map<String, TensorData> tensors = weights.tensors();
        return new LoadedAdapter(spec, tensors, NetworkProvenance.sha256(configBytes), NetworkProvenance.sha256(weightBytes));
    }

    /**
     * Parses the contents of an {@code adapter_config.json}.
     * @param bytes The file's bytes.
     * @param source The file's name, for messages.
     * @return The spec.
     * @throws AdapterFormatException if it is not a JSON object, has an unknown {@code peft_type}, or holds values the
     * method cannot honour.
     */
    public static AdapterSpec parseConfig(byte[] bytes, String source) throws AdapterFormatException {
        PeftConfigJson json = PeftConfigJson.parse(bytes, source);
        try {
            return PeftMethods.installed().read(json);
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(e.getMessage(), e);
        }
    }

    /**
     * Saves an adapter as a directory with both files, in its exported form ({@link AdapterSpec#export}). A new
     * directory appears complete or not at all (it is written next to the target and renamed); in an existing
     * directory each file is replaced atomically, the tensors first.
     * @param directory The directory.
     * @param spec The adapter's configuration.
     * @param tensors The adapter's tensors under PEFT's names.
     * @throws IOException if the files cannot be written; no partial file is left behind.
     */
    public static void save(Path directory, AdapterSpec spec, Map<String, TensorData> tensors) throws IOException {
        Path target = directory.toAbsolutePath();
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IOException("cannot save an adapter to " + target + ": it exists and is not a directory");
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        ExportedAdapter exported = spec.export(tensors);
        exported.spec().requireLoadableByPeft(exported.tensors());
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
        try {
            Files.write(staging.resolve(WEIGHTS_FILE), SafetensorsWriter.toBytes(exported.tensors(), Map.of("format", "pt")));
            Files.write(staging.resolve(CONFIG_FILE), PeftMethods.installed().write(exported.spec()).toString().getBytes(StandardCharsets.UTF_8));
            if (!Files.exists(target)) {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            Files.move(staging.resolve(WEIGHTS_FILE), target.resolve(WEIGHTS_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            Files.move(staging.resolve(CONFIG_FILE), target.resolve(CONFIG_FILE), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            deleteRecursively(staging);
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
