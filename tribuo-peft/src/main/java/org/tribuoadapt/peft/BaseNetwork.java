package org.tribuoadapt.peft;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.bridge.FeatureTensorizer;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.model.ModelFiles;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkProvenance;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsFormatException;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.TensorData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A frozen base network to adapt: its architecture, its weights (PyTorch names) and the SHA-256 of where they came
 * from, so that a training run can be reproduced from its provenance. It comes from a safetensors file plus a spec,
 * from a serialized Tribuo {@link NetworkModel}, or from a model in memory.
 */
public final class BaseNetwork {

    private final NetworkSpec spec;
    private final int outputs;
    private final Map<String, TensorData> weights;
    private final String sha256;
    private final NetworkModel model;
    private final String fileSha256;

    private BaseNetwork(NetworkSpec spec, int outputs, Map<String, TensorData> weights, String sha256, NetworkModel model,
                        String fileSha256) {
        this.spec = spec;
        this.outputs = outputs;
        this.weights = weights;
        this.sha256 = sha256;
        this.model = model;
        this.fileSha256 = fileSha256;
    }

    /**
     * A base from a network model in memory.
     * @param model The model.
     * @return The base; its hash is that of the model's weights.
     */
    public static BaseNetwork of(NetworkModel model) {
        return new BaseNetwork(model.spec(), model.getOutputIDInfo().size(), model.stateDict(),
                NetworkProvenance.sha256(model.weightBytes()), model, null);
    }

    /**
     * A base from weights in memory, as an adapter model stores them.
     * @param spec The architecture.
     * @param outputs The output layer's width.
     * @param weights The weights as safetensors bytes.
     * @return The base; its hash is that of the bytes.
     */
    public static BaseNetwork of(NetworkSpec spec, int outputs, byte[] weights) {
        try {
            return new BaseNetwork(spec, outputs, SafetensorsReader.read(weights).tensors(), NetworkProvenance.sha256(weights),
                    null, null);
        } catch (SafetensorsFormatException e) {
            throw new IllegalArgumentException("the base weights are not a safetensors file: " + e.getMessage(), e);
        }
    }

    /**
     * A base from a safetensors file holding a network's {@code state_dict} (for example one saved by PyTorch).
     * @param spec The architecture the weights belong to.
     * @param weightsFile The file.
     * @return The base; its hash is the file's.
     * @throws IOException if the file cannot be read or is not a safetensors file, naming the file.
     * @throws IllegalArgumentException if the file has no output layer weight for the spec, or a NaN or infinite
     * weight.
     */
    public static BaseNetwork fromSafetensors(NetworkSpec spec, Path weightsFile) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(weightsFile);
        } catch (NoSuchFileException e) {
            throw new IOException("the base weights " + weightsFile + " do not exist", e);
        } catch (IOException e) {
            throw new IOException("cannot read the base weights " + weightsFile + ": " + e.getMessage(), e);
        }
        SafetensorsFile file;
        try {
            file = SafetensorsReader.read(bytes);
        } catch (SafetensorsFormatException e) {
            throw new IOException("the base weights " + weightsFile + " are not a safetensors file: " + e.getMessage(), e);
        }
        file.requireFinite("the base weights " + weightsFile);
        Map<String, TensorData> tensors = file.tensors();
        String sha = NetworkProvenance.sha256(bytes);
        return new BaseNetwork(spec, outputsOf(spec, tensors), tensors, sha, null, sha);
    }

    /**
     * A base from a serialized Tribuo model file ({@code Model.serializeToFile}) holding a {@link NetworkModel}.
     * @param modelFile The file.
     * @return The base; its hash is that of the model's weights, and the file's hash is kept too.
     * @throws IOException if the file cannot be read.
     * @throws IllegalArgumentException if it holds another kind of model.
     */
    public static BaseNetwork fromModelFile(Path modelFile) throws IOException {
        Model<?> model = ModelFiles.load(modelFile);
        NetworkModel network = NetworkModel.require(model, "the base model in " + modelFile);
        return new BaseNetwork(network.spec(), network.getOutputIDInfo().size(), network.stateDict(),
                NetworkProvenance.sha256(network.weightBytes()), network,
                NetworkProvenance.sha256(Files.readAllBytes(modelFile)));
    }

    /**
     * The base a trainer's {@code baseModel} setting names, for trainers that read it when they train.
     * @param modelFile The configured file, or null when none is configured.
     * @return The base.
     * @throws IllegalStateException if no file is configured.
     * @throws UncheckedIOException if the file cannot be read.
     */
    public static BaseNetwork fromConfiguredModelFile(Path modelFile) {
        if (modelFile == null) {
            throw new IllegalStateException("no base network configured: set baseModel, or call train(dataset, base)");
        }
        try {
            return fromModelFile(modelFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the base model " + modelFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * A training set as tensors of this base's input shape.
     * @param examples The examples.
     * @return The tensors, with the data's feature and label ids.
     * @throws IllegalArgumentException if there are no examples.
     */
    public TensorDataset tensorize(Dataset<Label> examples) {
        if (examples.size() == 0) {
            throw new IllegalArgumentException("the training dataset is empty");
        }
        return TensorDataset.from(examples, new FeatureTensorizer(examples.getFeatureIDMap(), spec.inputShape()),
                examples.getOutputIDInfo());
    }

    /**
     * A run's provenance with this base recorded: the hash of its weights and, for a base from a model, that model's
     * provenance.
     * @param runProvenance The run's other entries.
     * @return A new map.
     */
    public Map<String, Provenance> recordIn(Map<String, Provenance> runProvenance) {
        Map<String, Provenance> instance = new LinkedHashMap<>(runProvenance);
        instance.put(PeftProvenance.BASE_WEIGHTS_SHA256, new StringProvenance(PeftProvenance.BASE_WEIGHTS_SHA256, sha256));
        model().ifPresent(m -> instance.put(PeftTrainer.BASE_MODEL, m.getProvenance()));
        return instance;
    }

    /**
     * Checks that an adapter can predict the data's labels: the base has as many outputs, or the adapter trains a new
     * output layer.
     * @param peft The wrapped base network.
     * @param modulesToSave The adapter's modules to save.
     * @param outputs The number of labels.
     * @throws IllegalArgumentException if neither holds.
     */
    public void checkOutputs(PeftNetwork peft, List<String> modulesToSave, int outputs) {
        if (outputs != this.outputs && !AdapterTargets.matchesList(modulesToSave, peft.outputLayer())) {
            throw new IllegalArgumentException("the base network has " + this.outputs + " outputs but the data has "
                    + outputs + " labels; list the output layer '" + peft.outputLayer() + "' in the adapter's modulesToSave");
        }
    }

    /**
     * The width of the output layer (the last Linear layer) that a set of weights gives a spec.
     * @param spec The architecture.
     * @param weights The weights by PyTorch name.
     * @return The number of outputs.
     * @throws IllegalArgumentException if the weights lack the output layer's weight.
     */
    public static int outputsOf(NetworkSpec spec, Map<String, TensorData> weights) {
        try (Network probe = spec.assemble(1)) {
            String head = AdapterTargets.lastLinear(probe.layers());
            if (head == null) {
                throw new IllegalArgumentException("the network " + spec + " has no Linear output layer");
            }
            TensorData weight = weights.get(head + ".weight");
            if (weight == null || weight.rank() != 2) {
                throw new IllegalArgumentException("the base weights have no 2-D tensor '" + head + ".weight' for the output "
                        + "layer of " + spec + (weight == null ? "" : "; found shape " + Arrays.toString(weight.shape())));
            }
            return Math.toIntExact(weight.shape()[0]);
        }
    }

    /**
     * Builds the base network with its weights; the caller closes it.
     * @return The network.
     * @throws IllegalArgumentException naming the tensor and both shapes if the weights do not fit the spec.
     */
    public Network newNetwork() {
        Network network = spec.assemble(outputs);
        try {
            network.loadStateDict(weights, true);
            return network;
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** @return The architecture. */
    public NetworkSpec spec() {
        return spec;
    }

    /** @return The output layer's width. */
    public int outputs() {
        return outputs;
    }

    /** @return The SHA-256 of the weights (the safetensors bytes). */
    public String sha256() {
        return sha256;
    }

    /** @return The SHA-256 of the file the base was read from, if it was read from a file. */
    public Optional<String> fileSha256() {
        return Optional.ofNullable(fileSha256);
    }

    /** @return The model the base came from, if it came from a model. */
    public Optional<NetworkModel> model() {
        return Optional.ofNullable(model);
    }
}
