package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.HypernetworkSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.spec.TransformerSpec;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.TensorData;
import org.tribuoadapt.core.train.BatchObjective;

import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Compares forward passes, losses, gradients and BatchNorm running statistics with PyTorch, from references written
 * by {@code src/test/python/make_torch_references.py} (PyTorch 1.13) for networks equivalent to our specs: a ViT,
 * a CNN with BatchNorm, and hypernetworks in the plain and the magnitude invariant form.
 */
public class TorchReferenceTest {

    private static SafetensorsFile reference(String name) throws Exception {
        return SafetensorsReader.read(Paths.get(TorchReferenceTest.class.getResource("/fixtures/torch/" + name).toURI()));
    }

    private static Map<String, TensorData> withPrefix(SafetensorsFile file, String prefix) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, TensorData> e : file.tensors().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return out;
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    private static void check(NetworkSpec spec, String file, boolean training) throws Exception {
        SafetensorsFile ref = reference(file);
        try (Network network = spec.assemble(3); NDManager batch = network.manager().newSubManager()) {
            network.loadStateDict(withPrefix(ref, "weights."), true);
            TensorData input = ref.get("input");
            NDArray x = batch.create(input.toFloatArray(), new Shape(input.shape()));
            NDArray y = batch.create(ref.get("labels").toLongArray());
            NDArray loss;
            NDArray out;
            ForwardContext context = training ? ForwardContext.training(batch) : ForwardContext.inference(batch);
            try (GradientMode ignored = GradientMode.enabled()) {
                out = network.forward(x, context);
                loss = BatchObjective.crossEntropy(out, y);
            }
            GradientMode.backward(loss);
            assertClose("output", ref.get("output").toFloatArray(), out.toFloatArray(), 1e-5);
            assertClose("loss", ref.get("loss").toFloatArray(), new float[] {loss.getFloat()}, 1e-5);
            for (Map.Entry<String, TensorData> g : withPrefix(ref, "grad.").entrySet()) {
                assertClose("gradient of " + g.getKey(), g.getValue().toFloatArray(),
                        network.parameters().get(g.getKey()).array().getGradient().toFloatArray(), 1e-4);
            }
            for (Map.Entry<String, TensorData> s : withPrefix(ref, "after.").entrySet()) {
                TensorData ours = network.stateDict().get(s.getKey());
                if (s.getKey().endsWith("num_batches_tracked")) {
                    assertEquals(s.getValue().toLongArray()[0], ours.toLongArray()[0], s.getKey());
                } else {
                    assertClose(s.getKey(), s.getValue().toFloatArray(), ours.toFloatArray(), 1e-5);
                }
            }
        }
    }

    @Test
    public void transformerMatchesPyTorch() throws Exception {
        check(TransformerSpec.forImages(1, 8, 8, 4, 16, 2, 2, 32), "vit.safetensors", false);
    }

    @Test
    public void cnnWithBatchNormInTrainingMatchesPyTorch() throws Exception {
        check(new CNNSpec(1, 8, 8, new int[] {4, 8}, true, 2, new int[] {16}), "cnn_bn_train.safetensors", true);
    }

    @Test
    public void magnitudeInvariantHypernetworkMatchesPyTorch() throws Exception {
        check(HypernetworkSpec.magnitudeInvariant(5, 2, new int[] {4}, new int[] {6, 5}), "hypernet_mip.safetensors", true);
    }

    @Test
    public void plainHypernetworkMatchesPyTorch() throws Exception {
        check(HypernetworkSpec.plain(5, 2, new int[] {4}, new int[] {6, 5}), "hypernet_plain.safetensors", true);
    }
}
