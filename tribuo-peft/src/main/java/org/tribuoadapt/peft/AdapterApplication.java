package org.tribuoadapt.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.GradientMode;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.SafetensorsWriter;
import org.tribuoadapt.core.safetensors.TensorData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies an adapter directory to a base network given as files, the logic of the command line's
 * {@code peft apply --network <config> --base-weights <file> --adapter <dir> --input <file> --output <file>}: the
 * network is the OLCUT component named {@value #NETWORK_COMPONENT} of the configuration, the base weights a
 * safetensors {@code state_dict}, and the input the tensor {@value #INPUT} of a safetensors file. The output file
 * gets {@value #OUTPUT_ADAPTED} (the adapter active, unmerged) and {@value #OUTPUT_MERGED} (a plain network with the
 * merged weights), written atomically; an adapter that cannot be merged (a bottleneck adapter) gets
 * {@value #OUTPUT_ADAPTED} only.
 */
public final class AdapterApplication {

    /** The component name of the network spec in the configuration. */
    public static final String NETWORK_COMPONENT = "network";
    /** The input tensor's name. */
    public static final String INPUT = "input";
    /** The output of the adapted network. */
    public static final String OUTPUT_ADAPTED = "output_adapted";
    /** The output of the merged network. */
    public static final String OUTPUT_MERGED = "output_merged";

    private static final String ADAPTER_NAME = "default";

    private AdapterApplication() {}

    /**
     * Applies the adapter and writes both outputs (the adapted one alone for an adapter that cannot be merged).
     * @param networkConfig An OLCUT configuration with a {@link NetworkSpec} component named {@value #NETWORK_COMPONENT}.
     * @param baseWeights The base network's weights (safetensors, PyTorch names).
     * @param adapterDirectory The PEFT adapter directory.
     * @param input A safetensors file with the tensor {@value #INPUT}, shaped {@code [N, input shape...]}.
     * @param output The safetensors file to write.
     * @throws IOException if a file is missing, corrupt, or cannot be written.
     * @throws IllegalArgumentException if the adapter or the input does not fit the network, naming the tensor and
     * both shapes.
     */
    public static void apply(Path networkConfig, Path baseWeights, Path adapterDirectory, Path input, Path output)
            throws IOException {
        NetworkSpec spec = readNetworkSpec(networkConfig);
        BaseNetwork base = BaseNetwork.fromSafetensors(spec, baseWeights);
        LoadedAdapter adapter = AdapterFiles.load(adapterDirectory);
        SafetensorsFile inputs = SafetensorsReader.read(input);
        if (!inputs.contains(INPUT)) {
            throw new IllegalArgumentException(input + " has no tensor '" + INPUT + "'; it has " + inputs.names());
        }
        inputs.requireFinite(input.toString());
        TensorData x = inputs.get(INPUT);
        Map<String, TensorData> out = new LinkedHashMap<>();
        Map<String, TensorData> mergedWeights;
        boolean mergeable = adapter.spec().unmergeableReason().isEmpty();
        try (PeftNetwork peft = PeftNetwork.wrap(base.newNetwork())) {
            peft.addAdapter(ADAPTER_NAME, adapter.spec(), outputsOf(adapter, peft), 0L);
            peft.loadAdapterTensors(ADAPTER_NAME, adapter.tensors());
            peft.setActiveAdapters(List.of(ADAPTER_NAME));
            out.put(OUTPUT_ADAPTED, run(peft.network(), x));
            mergedWeights = mergeable ? peft.mergedStateDict() : null;
        }
        if (mergeable) {
            int mergedOutputs = Math.toIntExact(BaseNetwork.outputsOf(spec, mergedWeights));
            try (Network merged = spec.assemble(mergedOutputs)) {
                merged.loadStateDict(mergedWeights, true);
                out.put(OUTPUT_MERGED, run(merged, x));
            }
        }
        SafetensorsWriter.write(output, out, Map.of("format", "pt"));
    }

    /**
     * Reads the network spec from an OLCUT configuration file.
     * @param configuration The file.
     * @return The spec named {@value #NETWORK_COMPONENT}.
     * @throws IOException if the file is missing, unreadable or has no such component.
     */
    public static NetworkSpec readNetworkSpec(Path configuration) throws IOException {
        if (!Files.isRegularFile(configuration)) {
            throw new IOException("network configuration " + configuration + " does not exist");
        }
        Configurable component;
        try {
            ConfigurationManager manager = new ConfigurationManager(configuration.toString());
            if (!manager.getComponentNames().contains(NETWORK_COMPONENT)) {
                throw new IOException("network configuration " + configuration + " has no component named '"
                        + NETWORK_COMPONENT + "'; it has " + manager.getComponentNames());
            }
            component = manager.lookup(NETWORK_COMPONENT);
        } catch (PropertyException e) {
            throw new IOException("cannot read network configuration " + configuration + ": " + e.getMessage(), e);
        }
        if (!(component instanceof NetworkSpec)) {
            throw new IOException("component '" + NETWORK_COMPONENT + "' of " + configuration + " is a "
                    + component.getClass().getName() + ", not a NetworkSpec");
        }
        return (NetworkSpec) component;
    }

    /** The output width the adapter gives: its copy of the output layer's, or the base's. */
    private static int outputsOf(LoadedAdapter adapter, PeftNetwork peft) {
        TensorData head = adapter.tensors().get(PeftNetwork.MODEL_PREFIX + peft.outputLayer() + ".weight");
        return head == null ? peft.baseOutputs() : Math.toIntExact(head.shape()[0]);
    }

    private static TensorData run(Network network, TensorData x) {
        try (NDManager manager = network.manager().newSubManager(); NDScope ignored = new NDScope();
             GradientMode noGradients = GradientMode.disabled()) {
            NDArray batch = manager.create(x.toFloatArray(), new Shape(x.shape()));
            return Network.toTensorData(network.forward(batch, ForwardContext.inference(manager)));
        }
    }
}
