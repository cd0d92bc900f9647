package org.tribuoadapt.peft.corda;

import ai.djl.ndarray.types.Shape;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.test.Helpers;
import org.tribuoadapt.core.bridge.TensorDataset;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Network;
import org.tribuoadapt.peft.AdapterContract;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.PeftNetwork;
import org.tribuoadapt.peft.io.PeftConfigJson;
import org.tribuoadapt.peft.linalg.SingularValueDecomposition;
import org.tribuoadapt.peft.lora.LoraInit;
import org.tribuoadapt.peft.lora.LoraModule;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tribuoadapt.peft.AdapterContract.CNN;
import static org.tribuoadapt.peft.AdapterContract.CNN_OUTPUTS;
import static org.tribuoadapt.peft.AdapterContract.MLP;
import static org.tribuoadapt.peft.AdapterContract.MLP_OUTPUTS;

public class CordaTest {

    /** 40 task examples for the tiny MLP (16 inputs). */
    private static TensorDataset taskData() {
        float[] x = Initializers.uniform(40 * 16, 1.0, new SplittableRandom(21));
        return new TensorDataset(x, new int[40], new Shape(16));
    }

    /** Collects fc1's and fc2's input covariances on the tiny MLP and writes them to a file. */
    private static Path covarianceFile(Path dir) {
        try (Network base = AdapterContract.base(MLP, MLP_OUTPUTS)) {
            Path file = dir.resolve("covariance.safetensors");
            InputCovariance.write(file, InputCovariance.collect(base, List.of("fc1", "fc2"), taskData(), 8, 4));
            return file;
        }
    }

    private static double[] randomMatrix(int rows, int columns, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] m = new double[rows * columns];
        for (int i = 0; i < m.length; i++) {
            m[i] = rng.nextDouble(-1, 1);
        }
        return m;
    }

    /** {@code X^T X / n} plus a little of the identity: a well-conditioned covariance. */
    private static double[] covariance(int in, long seed) {
        int n = 3 * in;
        double[] x = randomMatrix(n, in, seed);
        double[] c = new double[in * in];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < in; j++) {
                for (int r = 0; r < n; r++) {
                    c[i * in + j] += x[r * in + i] * x[r * in + j] / n;
                }
            }
        }
        return c;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    @Test
    public void covarianceIsTheMeanOverBatchesOfScaledInputProducts() {
        // fc1 sees the network's input: two batches of 3 rows with known values
        float[] x = new float[6 * 16];
        for (int r = 0; r < 6; r++) {
            x[r * 16] = r + 1;
            x[r * 16 + 1] = -(r % 2);
        }
        try (Network base = AdapterContract.base(MLP, MLP_OUTPUTS)) {
            double[] c = InputCovariance.collect(base, List.of("fc1"), new TensorDataset(x, new int[6], new Shape(16)), 3,
                    10).get("fc1");
            // batch 1 rows (1, 0), (2, -1), (3, 0) scaled by 1/3; batch 2 rows (4, -1), (5, 0), (6, -1) scaled by 1/6
            double c00 = ((1 + 4 + 9) / 9.0 + (16 + 25 + 36) / 36.0) / 2;
            double c01 = ((-2) / 9.0 + (-4 - 6) / 36.0) / 2;
            double c11 = (1 / 9.0 + 2 / 36.0) / 2;
            assertEquals(c00, c[0], 1e-6);
            assertEquals(c01, c[1], 1e-6);
            assertEquals(c01, c[16], 1e-6);
            assertEquals(c11, c[17], 1e-6);
            assertEquals(0.0, c[2], 0.0);
            assertEquals(0.0, c[16 * 16 - 1], 0.0);
            // maxBatches limits the batches read
            double[] first = InputCovariance.collect(base, List.of("fc1"), new TensorDataset(x, new int[6], new Shape(16)),
                    3, 1).get("fc1");
            assertEquals((1 + 4 + 9) / 9.0, first[0], 1e-6);
        }
    }

    @Test
    public void covarianceFileRoundTripsAndBadInputIsRejected(@TempDir Path dir) {
        Map<String, double[]> covariances = Map.of("fc1", covariance(4, 1), "fc2", covariance(3, 2));
        Path file = dir.resolve("c.safetensors");
        InputCovariance.write(file, covariances);
        Map<String, double[]> read = InputCovariance.read(file);
        assertEquals(covariances.keySet(), read.keySet());
        assertArrayEquals(covariances.get("fc1"), read.get("fc1"));
        assertThrows(IllegalArgumentException.class, () -> InputCovariance.write(file, Map.of("fc1", new double[5])));
        try (Network base = AdapterContract.base(CNN, CNN_OUTPUTS)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InputCovariance.collect(base,
                    List.of("conv1"), new TensorDataset(new float[36], new int[1], new Shape(1, 6, 6)), 1, 1));
            assertTrue(e.getMessage().contains("Linear layers only"), e.getMessage());
        }
        try (Network base = AdapterContract.base(MLP, MLP_OUTPUTS)) {
            assertThrows(IllegalArgumentException.class, () -> InputCovariance.collect(base, List.of("fc1"),
                    new TensorDataset(new float[0], new int[0], new Shape(16)), 1, 1));
        }
    }

    @Test
    public void allComponentsReconstructTheWeight() {
        int out = 5;
        int in = 4;
        float[] w = toFloats(randomMatrix(out, in, 3));
        CordaDecomposition full = CordaDecomposition.of(w, out, in, covariance(in, 4), in, CordaMethod.IPM);
        double s = 2.0;
        float[] a = full.factorA(s);
        float[] b = full.factorB(s);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double sum = 0;
                for (int k = 0; k < in; k++) {
                    sum += s * b[o * in + k] * a[k * in + i];
                }
                assertEquals(w[o * in + i], sum, 1e-5, "W = U S V^T C^-1 at " + o + "," + i);
            }
        }
    }

    @Test
    public void ipmTakesTheLargestAndKpmTheSmallestComponentsOfTheDampedWC() {
        int out = 6;
        int in = 5;
        float[] w = toFloats(randomMatrix(out, in, 5));
        double[] c = covariance(in, 6);
        CordaDecomposition ipm = CordaDecomposition.of(w, out, in, c, 2, CordaMethod.IPM);
        CordaDecomposition kpm = CordaDecomposition.of(w, out, in, c, 2, CordaMethod.KPM);
        assertEquals(CordaDecomposition.INITIAL_DAMPING, ipm.damping(), 0.0, "a well-conditioned covariance");
        // the reference: the singular values of W (C + 0.01 mean(diag C) I)
        double mean = 0;
        for (int i = 0; i < in; i++) {
            mean += c[i * in + i] / in;
        }
        double[] wc = new double[out * in];
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                for (int k = 0; k < in; k++) {
                    wc[o * in + j] += w[o * in + k] * (c[k * in + j] + (k == j ? 0.01 * mean : 0));
                }
            }
        }
        double[] all = SingularValueDecomposition.of(wc, out, in).singularValues();
        assertArrayEquals(new double[] {all[0], all[1]}, ipm.singularValues(), 1e-9);
        assertArrayEquals(new double[] {all[3], all[4]}, kpm.singularValues(), 1e-9);
    }

    @Test
    public void singularCovarianceIsDampedAndZeroCovarianceRejected() {
        int in = 6;
        // rank one: every input is a multiple of one vector
        double[] v = randomMatrix(1, in, 7);
        double[] c = new double[in * in];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < in; j++) {
                c[i * in + j] = v[i] * v[j];
            }
        }
        float[] w = toFloats(randomMatrix(4, in, 8));
        CordaDecomposition d = CordaDecomposition.of(w, 4, in, c, 2, CordaMethod.KPM);
        assertTrue(d.damping() >= CordaDecomposition.INITIAL_DAMPING);
        for (double s : d.singularValues()) {
            assertTrue(Double.isFinite(s) && s >= 0, "finite singular values " + Arrays.toString(d.singularValues()));
        }
        for (float a : d.factorA(1.0)) {
            assertTrue(Float.isFinite(a));
        }
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> CordaDecomposition.of(w, 4, in, new double[in * in], 2, CordaMethod.IPM));
        assertTrue(zero.getMessage().contains("positive finite diagonal mean"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CordaDecomposition.of(w, 4, in, c, 5, CordaMethod.IPM));
        assertThrows(IllegalArgumentException.class, () -> CordaDecomposition.of(w, 4, in, new double[4], 2, CordaMethod.IPM));
    }

    @Test
    public void freshAdapterKeepsTheOutputsAndTheBaseIsTheResidual(@TempDir Path dir) {
        Path file = covarianceFile(dir);
        for (CordaMethod method : CordaMethod.values()) {
            float[] x = AdapterContract.input(MLP, 4);
            try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
                float[] before = AdapterContract.forward(peft.network(), x, 4);
                float[] original = peft.network().parameters().get("fc1.weight").toFloatArray();
                peft.addAdapter("c", LoraSpec.corda(AdapterTargets.modules("fc1", "fc2"), 3, 6, method, file), MLP_OUTPUTS, 1L);
                peft.setActiveAdapters(List.of("c"));
                AdapterContract.assertClose(before, AdapterContract.forward(peft.network(), x, 4), 1e-5, method.toString());
                LoraModule module = (LoraModule) peft.modules("c").get("fc1");
                float[] residual = module.target().weight().toFloatArray();
                assertFalse(Arrays.equals(original, residual), "CorDA moves components out of the base");
                float[] a = module.loraA().toFloatArray();
                float[] b = module.loraB().toFloatArray();
                for (int o = 0; o < 12; o++) {
                    for (int i = 0; i < 16; i++) {
                        double sum = residual[o * 16 + i];
                        for (int k = 0; k < 3; k++) {
                            sum += module.scaling() * b[o * 3 + k] * a[k * 16 + i];
                        }
                        assertEquals(original[o * 16 + i], sum, 1e-5, "W = residual + s B A");
                    }
                }
                peft.deleteAdapter("c");
                assertArrayEquals(original, peft.network().parameters().get("fc1.weight").toFloatArray());
            }
        }
    }

    @Test
    public void mergedEqualsUnmergedAndOnlyTheFactorsTrain(@TempDir Path dir) {
        Path file = covarianceFile(dir);
        LoraSpec spec = LoraSpec.corda(AdapterTargets.modules("fc1", "fc2"), 3, 6, CordaMethod.KPM, file);
        AdapterContract.assertMergeEqualsUnmerged(spec, MLP, MLP_OUTPUTS);
        AdapterContract.assertOnlyAdapterTrains(spec, MLP, MLP_OUTPUTS);
        assertEquals(3 * (16 + 12) + 3 * (12 + 10), AdapterContract.trainableCount(spec, MLP, MLP_OUTPUTS));
    }

    @Test
    public void savesAndLoadsWithPeftsCordaConfig(@TempDir Path dir) throws Exception {
        Path file = covarianceFile(dir);
        LoraSpec spec = LoraSpec.corda(AdapterTargets.modules("fc1", "fc2"), 2, 4, CordaMethod.KPM, file);
        AdapterContract.assertSaveLoadRoundTrip(spec, MLP, MLP_OUTPUTS, dir);
        String json = spec.toPeftConfig().toString();
        for (String field : new String[] {"\"init_lora_weights\" : \"corda\"", "\"corda_method\" : \"kpm\"",
                "\"covariance_file\" : \"" + file + "\"", "\"cache_file\" : null", "\"prune_temporary_fields\" : true"}) {
            assertTrue(json.contains(field), field + " in " + json);
        }
        String noFile = json.replace("\"covariance_file\" : \"" + file + "\"", "\"covariance_file\" : null");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraSpec.fromPeftConfig(
                PeftConfigJson.parse(noFile.getBytes(StandardCharsets.UTF_8), "adapter_config.json")));
        assertTrue(e.getMessage().contains("corda_config.covariance_file"), e.getMessage());
        String cached = json.replace("\"cache_file\" : null", "\"cache_file\" : \"eigens.pt\"");
        assertThrows(IllegalArgumentException.class, () -> LoraSpec.fromPeftConfig(
                PeftConfigJson.parse(cached.getBytes(StandardCharsets.UTF_8), "adapter_config.json")));
        // other initialisations write no corda_config
        assertFalse(new LoraSpec(AdapterTargets.modules("fc1"), 2, 4).toPeftConfig().toString().contains("corda_config"));
    }

    @Test
    public void configurationIsValidatedAndInTheProvenance(@TempDir Path dir) {
        Path file = covarianceFile(dir);
        LoraSpec spec = LoraSpec.corda(AdapterTargets.modules("fc1"), 2, 4, CordaMethod.KPM, file);
        Helpers.testConfigurableRoundtrip(spec);
        Map<String, ?> configured = spec.getProvenance().getConfiguredParameters();
        assertEquals("KPM", configured.get("cordaMethod").toString());
        assertTrue(configured.get("covarianceFile").toString().contains("covariance.safetensors"));
        assertThrows(PropertyException.class, () -> new LoraSpec(AdapterTargets.modules("fc1"), 2, 4, 0.0, false, false,
                LoraInit.CORDA, Map.of(), Map.of(), CordaMethod.IPM, null));
        assertThrows(PropertyException.class, () -> new LoraSpec(AdapterTargets.modules("fc1"), 2, 4, 0.0, false, false,
                LoraInit.PISSA, Map.of(), Map.of(), CordaMethod.IPM, file));
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(CNN, CNN_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("c",
                    LoraSpec.corda(AdapterTargets.modules("conv2"), 2, 4, CordaMethod.IPM, file), CNN_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("Linear layers only"), e.getMessage());
        }
        try (PeftNetwork peft = PeftNetwork.wrap(AdapterContract.base(MLP, MLP_OUTPUTS))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> peft.addAdapter("c",
                    LoraSpec.corda(AdapterTargets.modules("head"), 2, 4, CordaMethod.IPM, file), MLP_OUTPUTS, 1L));
            assertTrue(e.getMessage().contains("no input covariance for layer 'head'"), e.getMessage());
        }
    }
}
