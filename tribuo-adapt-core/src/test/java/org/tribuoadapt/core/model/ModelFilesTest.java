package org.tribuoadapt.core.model;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.protos.core.ModelProto;
import org.tribuoadapt.core.protos.NetworkModelProto;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.train.AdamOptimiserFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model files that were tampered with, truncated, emptied or never written get errors naming the file and the
 * problem; an intact file loads with the same weights.
 */
public class ModelFilesTest {

    private static NetworkModel model;
    private static byte[] bytes;

    @BeforeAll
    static void train(@TempDir Path dir) throws Exception {
        MutableDataset<Label> data = SyntheticImages.dataset(60, 3, 8, 1);
        model = new NetworkTrainer(NetworkTrainerTest.mlp(), new AdamOptimiserFactory(0.01), 1, 32, 7L).train(data);
        Path file = dir.resolve("model.tribuo");
        model.serializeToFile(file);
        bytes = Files.readAllBytes(file);
    }

    @Test
    public void anIntactFileLoads(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("ok.tribuo"), bytes);
        assertArrayEquals(model.weightBytes(), ((NetworkModel) ModelFiles.load(file)).weightBytes());
    }

    @Test
    public void changedWeightsAreRejected(@TempDir Path dir) throws Exception {
        ModelProto proto = ModelProto.parseFrom(bytes);
        NetworkModelProto network = proto.getSerializedData().unpack(NetworkModelProto.class);
        byte[] weights = network.getWeights().toByteArray();
        weights[weights.length - 1] ^= 0x01; // the last byte of the head's bias
        ModelProto tampered = proto.toBuilder().setSerializedData(com.google.protobuf.Any.pack(
                network.toBuilder().setWeights(ByteString.copyFrom(weights)).build())).build();
        Path file = Files.write(dir.resolve("tampered.tribuo"), tampered.toByteArray());
        assertError(file, "tampered.tribuo", "weights were changed");
    }

    @Test
    public void truncatedEmptyMissingAndForeignFilesAreNamed(@TempDir Path dir) throws Exception {
        assertError(Files.write(dir.resolve("half.tribuo"), Arrays.copyOf(bytes, bytes.length / 2)), "half.tribuo",
                "truncated or corrupt");
        assertError(Files.write(dir.resolve("empty.tribuo"), new byte[0]), "empty.tribuo", "is empty");
        assertError(dir.resolve("missing.tribuo"), "missing.tribuo", "does not exist");
        assertError(Files.write(dir.resolve("foreign.tribuo"), ModelProto.newBuilder().setVersion(1).build().toByteArray()),
                "foreign.tribuo", "names no model class");
    }

    private static void assertError(Path file, String name, String problem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFiles.load(file));
        assertTrue(e.getMessage().contains(name) && e.getMessage().contains(problem), e.getMessage());
    }
}
