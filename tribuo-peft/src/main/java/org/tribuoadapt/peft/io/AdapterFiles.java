package org.tribuoadapt.peft.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.peft.AdapterSpec;
import org.tribuoadapt.peft.ExportedAdapter;
import org.tribuoadapt.peft.atlas.AtlasSpec;
import org.tribuoadapt.peft.bitfit.BitFitSpec;
import org.tribuoadapt.peft.diffusekrona.DiffuseKronASpec;
import org.tribuoadapt.peft.flora.FloraSpec;
import org.tribuoadapt.peft.hydra.HydraSpec;
import org.tribuoadapt.peft.ia3.IA3Spec;
import org.tribuoadapt.peft.loha.LoHaSpec;
import org.tribuoadapt.peft.lokr.LoKrSpec;
import org.tribuoadapt.peft.loldu.LolduSpec;
import org.tribuoadapt.peft.ltsft.LtSftSpec;
import org.tribuoadapt.peft.lora.LoraSpec;
import org.tribuoadapt.peft.normtuning.NormTuningSpec;
import org.tribuoadapt.peft.randlora.RandLoraSpec;
import org.tribuoadapt.peft.sora.SoraSpec;
import org.tribuoadapt.peft.svfit.SvfitSpec;
import org.tribuoadapt.peft.vera.VeraSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Reads and writes adapters in Hugging Face PEFT's format: a directory holding {@value #CONFIG_FILE} (the method's
 * configuration, PEFT's field names) and {@value #WEIGHTS_FILE} (the adapter's tensors under
 * {@code base_model.model.<module>.<tensor>} names, PyTorch layouts). Files PEFT's {@code save_pretrained} writes
 * load here, and adapters saved here load in PEFT.
 * <p>
 * Each method registers a reader for its {@code peft_type}; LoRA, IA3, LoHa, LoKr, VeRA and RandLoRA (PEFT's types) and
 * the seed methods' own types are built in.
 */
public final class AdapterFiles {

    /** The configuration file's name. */
    public static final String CONFIG_FILE = "adapter_config.json";
    /** The tensor file's name. */
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private static final Map<String, Function<PeftConfigJson, AdapterSpec>> READERS = new LinkedHashMap<>();

    static {
        registerReader(LoraSpec.PEFT_TYPE, LoraSpec::fromPeftConfig);
        registerReader(IA3Spec.PEFT_TYPE, IA3Spec::fromPeftConfig);
        registerReader(LoHaSpec.PEFT_TYPE, LoHaSpec::fromPeftConfig);
        registerReader(LoKrSpec.PEFT_TYPE, LoKrSpec::fromPeftConfig);
        registerReader(VeraSpec.PEFT_TYPE, VeraSpec::fromPeftConfig);
        registerReader(RandLoraSpec.PEFT_TYPE, RandLoraSpec::fromPeftConfig);
        registerReader(BitFitSpec.PEFT_TYPE, BitFitSpec::fromPeftConfig);
        registerReader(NormTuningSpec.PEFT_TYPE, NormTuningSpec::fromPeftConfig);
        registerReader(HydraSpec.PEFT_TYPE, HydraSpec::fromPeftConfig);
        registerReader(SvfitSpec.PEFT_TYPE, SvfitSpec::fromPeftConfig);
        registerReader(LolduSpec.PEFT_TYPE, LolduSpec::fromPeftConfig);
        registerReader(FloraSpec.PEFT_TYPE, FloraSpec::fromPeftConfig);
        registerReader(DiffuseKronASpec.PEFT_TYPE, DiffuseKronASpec::fromPeftConfig);
        registerReader(SoraSpec.PEFT_TYPE, SoraSpec::fromPeftConfig);
        registerReader(AtlasSpec.PEFT_TYPE, AtlasSpec::fromPeftConfig);
        registerReader(LtSftSpec.PEFT_TYPE, LtSftSpec::fromPeftConfig);
    }

    private AdapterFiles() {}

    /**
     * Registers the reader of a method's PEFT configuration.
     * @param peftType PEFT's name of the method, e.g. {@code RANDLORA}.
     * @param reader Builds the spec; throws {@link IllegalArgumentException} for configurations it cannot honour.
     */
    public static synchronized void registerReader(String peftType, Function<PeftConfigJson, AdapterSpec> reader) {
        READERS.put(peftType, reader);
    }

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
        JsonNode root;
        try {
            root = PeftConfigJson.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new AdapterFormatException(source + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AdapterFormatException(source + " must hold a JSON object, found " + (root == null ? "nothing" : root.getNodeType()));
        }
        PeftConfigJson json = PeftConfigJson.of((ObjectNode) root, source);
        String type;
        Function<PeftConfigJson, AdapterSpec> reader;
        try {
            type = json.peftType();
        } catch (IllegalArgumentException e) {
            throw new AdapterFormatException(e.getMessage(), e);
        }
        synchronized (AdapterFiles.class) {
            if (type == null) {
                throw new AdapterFormatException(source + " has no peft_type; expected one of " + READERS.keySet());
            }
            reader = READERS.get(type);
            if (reader == null) {
                throw new AdapterFormatException(source + ": peft_type '" + type + "' is not supported; supported types are "
                        + READERS.keySet());
            }
        }
        try {
            return reader.apply(json);
        } catch (IllegalArgumentException | PropertyException e) {
            throw new AdapterFormatException(source + ": " + e.getMessage(), e);
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
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".");
        try {
            Files.write(staging.resolve(WEIGHTS_FILE), SafetensorsWriter.toBytes(exported.tensors(), Map.of("format", "pt")));
            Files.write(staging.resolve(CONFIG_FILE), exported.spec().toPeftConfig().toString().getBytes(StandardCharsets.UTF_8));
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
