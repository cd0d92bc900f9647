package org.tribuoadapt.hpo.search.objective;

import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.DataSource;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.baseline.DummyClassifierTrainer;
import org.tribuo.classification.evaluation.ConfusionMatrix;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.ScriptedPruner;
import org.tribuoadapt.hpo.search.Study;
import org.tribuoadapt.hpo.search.Trial;
import org.tribuoadapt.hpo.search.TrialState;
import org.tribuoadapt.hpo.search.journal.JournalFileStorage;
import org.tribuoadapt.hpo.search.sampler.RandomSampler;
import org.tribuoadapt.hpo.search.sampler.TpeSampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigObjectiveTest {


    private static Path config(Path dir) throws IOException {
        return MlpBarsConfig.copyTo(dir);
    }

    @Test
    void searchesTheConfigurationAndRecordsProvenance(@TempDir Path dir) throws IOException {
        ConfigObjective objective = new ConfigObjective(config(dir), "trainer", "train", "valid",
                ConfigObjective.Metric.ACCURACY,
                List.of("adam.learningRate=float:1e-4:0.3:log", "trainer.batchSize=categorical:8,16", "trainer.epochs=int:1:4"));
        Study study = Study.create("mlp", new JournalFileStorage(dir.resolve("journal.log")), objective.direction(), new TpeSampler(3));
        study.optimize(objective, 3);

        List<Trial> trials = study.trials();
        assertEquals(3, trials.size());
        for (Trial t : trials) {
            assertEquals(TrialState.COMPLETE, t.state(), () -> "trial " + t);
            assertTrue(t.value() >= 0 && t.value() <= 1);
            String provenance = (String) t.userAttributes().get(ConfigObjective.PROVENANCE_ATTRIBUTE);
            // the override reached the trainer: its provenance holds the sampled learning rate and epochs
            assertTrue(provenance.contains(String.valueOf(t.params().get("adam.learningRate"))), provenance);
            assertEquals(64, ((String) t.userAttributes().get(ConfigObjective.PROVENANCE_HASH_ATTRIBUTE)).length());
        }
        assertNotEquals(trials.get(0).userAttributes().get(ConfigObjective.PROVENANCE_HASH_ATTRIBUTE),
                trials.get(1).userAttributes().get(ConfigObjective.PROVENANCE_HASH_ATTRIBUTE));
        assertTrue(study.bestTrial().value() >= trials.get(0).value());
    }

    @Test
    void reportsEveryEpochAndStopsAPrunedTrialWithinOneEpoch(@TempDir Path dir) throws IOException {
        ConfigObjective objective = new ConfigObjective(config(dir), "trainer", "train", "valid",
                ConfigObjective.Metric.MACRO_F1, List.of("adam.learningRate=float:1e-3:0.1:log"));
        Study study = Study.create("mlp", new JournalFileStorage(dir.resolve("journal.log")), objective.direction(),
                new RandomSampler(4), new ScriptedPruner(Set.of(1), 1));
        study.optimize(objective, 2);
        List<Trial> trials = study.trials();
        Trial complete = trials.get(0);
        assertEquals(TrialState.COMPLETE, complete.state());
        // one report per epoch (steps 1 to 3); the last is what the trained model scores
        assertEquals(Set.of(1, 2, 3), complete.intermediateValues().keySet());
        assertEquals(complete.value(), complete.intermediateValues().get(3), 1e-12);
        Trial pruned = trials.get(1);
        assertEquals(TrialState.PRUNED, pruned.state());
        assertEquals(Set.of(1), pruned.intermediateValues().keySet(), "training went on after the pruning epoch");
        assertEquals(pruned.intermediateValues().get(1), pruned.value());
        assertFalse(pruned.userAttributes().containsKey(ConfigObjective.PROVENANCE_ATTRIBUTE));
    }

    @Test
    @SuppressWarnings("unchecked") // the test configuration's data source
    void metricsAreTribuosLabelEvaluation(@TempDir Path dir) throws IOException {
        MutableDataset<Label> train;
        try (ConfigurationManager cm = new ConfigurationManager(config(dir).toString())) {
            train = new MutableDataset<>((DataSource<Label>) cm.lookup("train"));
        }
        Model<Label> model = DummyClassifierTrainer.createStratifiedTrainer(3).train(train);
        LabelEvaluation evaluation = new LabelEvaluator().evaluate(model, train);
        ConfusionMatrix<Label> confusion = evaluation.getConfusionMatrix();
        assertEquals(evaluation.accuracy(), ConfigObjective.Metric.ACCURACY.of(confusion), 1e-15);
        assertEquals(evaluation.macroAveragedF1(), ConfigObjective.Metric.MACRO_F1.of(confusion), 1e-15);
        assertEquals(evaluation.balancedErrorRate(), ConfigObjective.Metric.BALANCED_ERROR_RATE.of(confusion), 1e-15);
        assertTrue(evaluation.accuracy() > 0 && evaluation.accuracy() < 1);
    }

    @Test
    void samplerAndObjectiveAreConfigurable(@TempDir Path dir) throws IOException {
        Path search = Files.writeString(dir.resolve("search.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <config>
                    <component name="tpe" type="org.tribuoadapt.hpo.search.sampler.TpeSampler">
                        <property name="seed" value="5"/>
                        <property name="nStartupTrials" value="4"/>
                    </component>
                    <component name="bad-tpe" type="org.tribuoadapt.hpo.search.sampler.TpeSampler">
                        <property name="nEICandidates" value="0"/>
                    </component>
                    <component name="objective" type="org.tribuoadapt.hpo.search.objective.ConfigObjective">
                        <property name="configFile" value="%s"/>
                        <property name="trainer" value="trainer"/>
                        <property name="trainingSource" value="train"/>
                        <property name="validationSource" value="valid"/>
                        <property name="metric" value="BALANCED_ERROR_RATE"/>
                        <propertylist name="space">
                            <item>adam.learningRate=float:1e-4:0.1:log</item>
                            <item>trainer.epochs=int:1:3</item>
                        </propertylist>
                    </component>
                </config>
                """.formatted(config(dir)));
        try (ConfigurationManager cm = new ConfigurationManager(search.toString())) {
            TpeSampler tpe = (TpeSampler) cm.lookup("tpe");
            assertTrue(tpe.toString().contains("nStartupTrials=4"), tpe.toString());
            assertTrue(tpe.getProvenance().toString().contains("nStartupTrials"), tpe.getProvenance().toString());
            PropertyException bad = assertThrows(PropertyException.class, () -> cm.lookup("bad-tpe"));
            assertTrue(bad.getMessage().contains("nEICandidates"), bad.getMessage());
            ConfigObjective objective = (ConfigObjective) cm.lookup("objective");
            assertEquals(Direction.MINIMIZE, objective.direction());
            assertEquals(List.of("adam.learningRate", "trainer.epochs"), List.copyOf(objective.space().distributions().keySet()));
        }
    }

    @Test
    void unknownComponentOrPropertyFailsBeforeTraining(@TempDir Path dir) throws IOException {
        Path config = config(dir);
        PropertyException property = assertThrows(PropertyException.class, () -> new ConfigObjective(config, "trainer",
                "train", "valid", ConfigObjective.Metric.ACCURACY, List.of("adam.learningRat=float:1e-4:0.1:log")));
        assertTrue(property.getMessage().contains("component 'adam' has no property 'learningRat'"), property.getMessage());
        assertTrue(property.getMessage().contains("learningRate"), property.getMessage());
        PropertyException component = assertThrows(PropertyException.class, () -> new ConfigObjective(config, "trainer",
                "train", "valid", ConfigObjective.Metric.ACCURACY, List.of("sgd.learningRate=float:1e-4:0.1:log")));
        assertTrue(component.getMessage().contains("no component named 'sgd'"), component.getMessage());
        PropertyException list = assertThrows(PropertyException.class, () -> new ConfigObjective(config, "trainer",
                "train", "valid", ConfigObjective.Metric.ACCURACY, List.of("mlp.hiddenSizes=categorical:4,8")));
        assertTrue(list.getMessage().contains("int[]; search it with the list kind"), list.getMessage());
        PropertyException scalar = assertThrows(PropertyException.class, () -> new ConfigObjective(config, "trainer",
                "train", "valid", ConfigObjective.Metric.ACCURACY, List.of("trainer.epochs=list:1:2:int:1:3")));
        assertTrue(scalar.getMessage().contains("only list-valued properties can be searched with the list kind"),
                scalar.getMessage());
    }

    @Test
    void searchesAnArchitectureThroughAListProperty(@TempDir Path dir) throws IOException {
        ConfigObjective objective = new ConfigObjective(config(dir), "trainer", "train", "valid",
                ConfigObjective.Metric.ACCURACY, List.of("mlp.hiddenSizes=list:1:3:int:2:16:log",
                "mlp.activation=categorical:RELU,TANH", "trainer.epochs=int:1:2"));
        Study study = Study.create("arch", new JournalFileStorage(dir.resolve("arch.log")), objective.direction(),
                new RandomSampler(11));
        study.optimize(objective, 4);
        Set<Long> depths = new java.util.TreeSet<>();
        for (Trial t : study.trials()) {
            assertEquals(TrialState.COMPLETE, t.state(), () -> "trial " + t);
            long depth = (Long) t.params().get("mlp.hiddenSizes[length]");
            depths.add(depth);
            List<String> widths = new java.util.ArrayList<>();
            for (int i = 0; i < depth; i++) {
                widths.add(String.valueOf(t.params().get("mlp.hiddenSizes[" + i + "]")));
            }
            // the drawn depth and widths reached the network: the trial's provenance lists exactly those layers
            String provenance = (String) t.userAttributes().get(ConfigObjective.PROVENANCE_ATTRIBUTE);
            assertEquals(widths, hiddenSizes(provenance), provenance);
        }
        assertTrue(depths.size() > 1, depths::toString);
    }

    // the hiddenSizes items of the MLP in a model's JSON provenance
    private static List<String> hiddenSizes(String provenance) throws IOException {
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(provenance);
        List<String> out = new java.util.ArrayList<>();
        root.findValues("hiddenSizes").get(0).path("list").forEach(item -> out.add(item.path("value").asText()));
        return out;
    }
}
