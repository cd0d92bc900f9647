package org.tribuoadapt.peft.diffora;

import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuoadapt.core.model.NetworkModel;
import org.tribuoadapt.core.model.NetworkTrainer;
import org.tribuoadapt.core.nn.spec.CNNSpec;
import org.tribuoadapt.core.testing.SyntheticImages;
import org.tribuoadapt.core.testing.TestSeeds;
import org.tribuoadapt.core.train.AdamOptimiserFactory;
import org.tribuoadapt.peft.AdapterFiles;
import org.tribuoadapt.peft.AdapterTargets;
import org.tribuoadapt.peft.LoadedAdapter;
import org.tribuoadapt.peft.PeftModel;
import org.tribuoadapt.peft.lora.LoraSpec;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class DifforaTrainerTest {

    private static final CNNSpec NET = new CNNSpec(1, 8, 8, new int[] {3, 4}, true, 2, new int[] {8});
    private static NetworkModel base;
    private static MutableDataset<Label> data;

    @BeforeAll
    public static void trainBase() {
        base = new NetworkTrainer(NET, new AdamOptimiserFactory(0.01), 1, 32, 1L).train(SyntheticImages.dataset(60, 3, 8, 1));
        data = SyntheticImages.dataset(30, 3, 8, 2);
    }

    private static DifforaTrainer trainer(long seed) {
        DifforaSpec spec = new DifforaSpec(AdapterTargets.modules("conv1", "conv2", "fc1").saving("head"), 2, 4, 0.5);
        return new DifforaTrainer(spec, new AdamOptimiserFactory(0.01), 1, 1, 0.5, 0.05, 16, seed);
    }

    @Test
    public void modelHoldsLoraOnTheKeptModulesAndRecordsTheSelection(@TempDir Path dir) throws Exception {
        long seed = TestSeeds.of(3);
        PeftModel model = trainer(seed).train(data, base);
        LoraSpec lora = assertInstanceOf(LoraSpec.class, model.adapterSpec("default"));
        List<String> kept = lora.targets().modules();
        assertEquals(2, kept.size(), kept.toString());
        ListProvenance<?> selected = (ListProvenance<?>) model.getProvenance().getInstanceProvenance().getMap()
                .get(DifforaSpec.SELECTED);
        assertEquals(kept, selected.getList().stream().map(p -> ((StringProvenance) p).getValue()).toList());
        MapProvenance<?> importances = (MapProvenance<?>) model.getProvenance().getInstanceProvenance().getMap()
                .get(DifforaSpec.IMPORTANCES);
        assertEquals(3, importances.getMap().size());
        assertTrue(model.adapterTensors("default").keySet().stream().noneMatch(k -> k.contains(DifforaModule.LOGIT)));
        model.saveAdapter("default", dir.resolve("adapter"));
        LoadedAdapter loaded = AdapterFiles.load(dir.resolve("adapter"));
        assertEquals(kept, loaded.spec().targets().modules());
        assertEquals(LoraSpec.PEFT_TYPE, loaded.spec().peftType());
        // same seed, same adapter
        assertEquals(model.adapterTensors("default"), trainer(seed).train(data, base).adapterTensors("default"));
    }

    @Test
    public void badSettingsAreRefused() {
        DifforaSpec spec = new DifforaSpec(AdapterTargets.modules("conv1"), 2, 4, 0.5);
        AdamOptimiserFactory adam = new AdamOptimiserFactory(0.01);
        assertTrue(assertThrows(PropertyException.class, () -> new DifforaTrainer(spec, adam, 1, 1, 1.0, 0.05, 16, 1L))
                .getMessage().contains("heldOutFraction"));
        assertTrue(assertThrows(PropertyException.class, () -> new DifforaTrainer(spec, adam, 0, 1, 0.5, 0.05, 16, 1L))
                .getMessage().contains("searchEpochs"));
        assertTrue(assertThrows(PropertyException.class, () -> new DifforaTrainer(spec, adam, 1, 1, 0.5, 0.0, 16, 1L))
                .getMessage().contains("maskLearningRate"));
    }
}
