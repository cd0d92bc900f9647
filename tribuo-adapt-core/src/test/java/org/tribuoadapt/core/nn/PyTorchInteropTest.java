package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.nn.spec.MLPSpec;
import org.tribuoadapt.core.nn.spec.NetworkSpec;
import org.tribuoadapt.core.nn.layers.Activation;
import org.tribuoadapt.core.safetensors.SafetensorsFile;
import org.tribuoadapt.core.safetensors.SafetensorsReader;
import org.tribuoadapt.core.safetensors.TensorData;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Loads base networks saved by PyTorch (the Hugging Face PEFT fixtures) and reproduces PyTorch's outputs.
 */
public class PyTorchInteropTest {

    static Path fixture(String name) throws Exception {
        return Paths.get(PyTorchInteropTest.class.getResource("/fixtures/hf-peft/" + name).toURI());
    }

    private static void assertReproduces(NetworkSpec spec, int outputs, String fixture, List<String> expectedLayers) throws Exception {
        SafetensorsFile weights = SafetensorsReader.read(fixture(fixture + "/base_model.safetensors"));
        SafetensorsFile expected = SafetensorsReader.read(fixture(fixture + "/expected.safetensors"));
        try (Network network = spec.assemble(outputs); NDManager manager = network.manager().newSubManager()) {
            assertTrue(network.layers().keySet().containsAll(expectedLayers), network.layers().keySet().toString());
            network.loadStateDict(weights.tensors(), true);
            TensorData input = expected.get("input");
            NDArray x = manager.create(input.toFloatArray(), new Shape(input.shape()));
            NDArray y;
            try (GradientMode ignored = GradientMode.disabled()) {
                y = network.forward(x, ForwardContext.inference(manager));
            }
            TensorData base = expected.get("output_base");
            assertArrayEquals(base.shape(), y.getShape().getShape());
            float[] want = base.toFloatArray();
            float[] got = y.toFloatArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "output " + i);
            }
            // the state dict round trips exactly
            for (var e : weights.tensors().entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), network.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
            }
        }
    }

    @Test
    public void mlpReproducesPyTorchOutputs() throws Exception {
        assertReproduces(new MLPSpec(16, new int[] {32, 32}, Activation.RELU, 0.0), 5, "mlp_lora",
                List.of("fc1", "fc2", "head"));
    }

    @Test
    public void cnnReproducesPyTorchOutputs() throws Exception {
        assertReproduces(new CNNSpec(1, 6, 6, new int[] {4, 8}, false, 0, new int[0]), 3, "cnn_lora",
                List.of("conv1", "conv2", "head"));
    }
}
