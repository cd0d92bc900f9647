package org.tribuoadapt.reproduce;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import org.tribuo.Dataset;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.ModelProvenance;
import org.tribuoadapt.core.model.NetworkProvenance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import org.tribuoadapt.core.reproduce.EvaluationReproducer;
import org.tribuoadapt.core.reproduce.RecoveredConfiguration;

/**
 * Reproduces recorded results from provenance alone: provenance → OLCUT configuration → the same trainers and data
 * sources (with their recorded invocation counts) → retrain → compare the weights, the evaluation metrics and
 * the provenance. Tribuo's own {@code tribuo-reproducibility} is not on Maven Central; this is the project's
 * equivalent, extended with the weight hashes and metric checks that neural networks need.
 */
public final class Reproducer {

    private Reproducer() {}

    /**
     * Retrains the model a provenance describes.
     * @param provenance The model's provenance.
     * @return The new model.
     * @throws IllegalStateException if its trainer or data cannot be recreated.
     */
    public static Model<Label> retrain(ModelProvenance provenance) {
        RecoveredConfiguration configuration = new RecoveredConfiguration(provenance);
        Trainer<Label> trainer = configuration.trainer(provenance.getTrainerProvenance());
        Dataset<Label> data = configuration.dataset(provenance.getDatasetProvenance());
        return trainer.train(data, Collections.emptyMap());
    }

    /**
     * Reproduces every model and evaluation among named provenance entries (for example a report's). Models are
     * retrained and their provenance compared; an evaluation is run again with the reproduced model (by the
     * {@link EvaluationReproducer} that knows its kind) and compared with the metrics recorded under its name.
     * @param entries Named provenance entries; entries that are neither models nor known evaluations (such as the
     *                pipeline's configuration) are skipped.
     * @param recordedMetrics The recorded metrics of an evaluation entry, by entry name (null if none were recorded).
     * @return One check per model and evaluation.
     */
    public static List<ReproductionCheck> reproduce(Map<String, ObjectProvenance> entries,
                                                    Function<String, Map<String, Double>> recordedMetrics) {
        List<ReproductionCheck> checks = new ArrayList<>();
        Map<ModelProvenance, Model<Label>> reproduced = new IdentityHashMap<>();
        Map<String, ModelProvenance> models = new LinkedHashMap<>();
        for (Map.Entry<String, ObjectProvenance> e : entries.entrySet()) {
            if (e.getValue() instanceof ModelProvenance) {
                models.put(e.getKey(), (ModelProvenance) e.getValue());
            }
        }
        for (Map.Entry<String, ModelProvenance> e : models.entrySet()) {
            checks.add(checkModel(e.getKey(), e.getValue(), reproduced));
        }
        for (Map.Entry<String, ObjectProvenance> e : entries.entrySet()) {
            EvaluationReproducer reproducer = reproducerFor(e.getValue());
            if (reproducer != null) {
                checks.add(checkEvaluation(e.getKey(), e.getValue(), reproducer, reproduced, models,
                        recordedMetrics.apply(e.getKey())));
            }
        }
        return checks;
    }

    private static ReproductionCheck checkModel(String name, ModelProvenance original,
                                                Map<ModelProvenance, Model<Label>> reproduced) {
        Model<Label> model;
        try {
            model = retrain(original);
        } catch (RuntimeException e) {
            return ReproductionCheck.failed(name, "cannot retrain: " + e.getMessage());
        }
        reproduced.put(original, model);
        List<String> details = new ArrayList<>();
        ProvenanceDiff diff = ProvenanceDiff.compare(original, model.getProvenance());
        boolean passed = diff.matches();
        String recordedHash = instanceValue(original, NetworkProvenance.WEIGHTS_SHA256);
        if (recordedHash != null) {
            String hash = instanceValue(model.getProvenance(), NetworkProvenance.WEIGHTS_SHA256);
            details.add((recordedHash.equals(hash) ? "weights identical" : "weights differ") + " (sha256 " + hash + ")");
        }
        if (diff.matches()) {
            details.add("provenance identical apart from " + diff.timestampDifferences().size() + " timestamps");
        } else {
            details.add("provenance differs:");
            diff.differences().forEach(d -> details.add("  " + d));
        }
        return new ReproductionCheck(name, passed, details);
    }

    private static ReproductionCheck checkEvaluation(String name, ObjectProvenance original, EvaluationReproducer reproducer,
                                                     Map<ModelProvenance, Model<Label>> reproduced,
                                                     Map<String, ModelProvenance> models, Map<String, Double> recorded) {
        Model<Label> model = null;
        ModelProvenance evaluated = reproducer.modelProvenance(original);
        for (Map.Entry<ModelProvenance, Model<Label>> e : reproduced.entrySet()) {
            if (e.getKey().equals(evaluated)) {
                model = e.getValue();
            }
        }
        if (model == null) {
            return ReproductionCheck.failed(name, "its model is not among the reproduced models " + models.keySet());
        }
        if (recorded == null || recorded.isEmpty()) {
            return ReproductionCheck.failed(name, "no metrics were recorded under '" + name + "'");
        }
        Map<String, Double> metrics;
        try {
            metrics = reproducer.recompute(original, model, new RecoveredConfiguration(original));
        } catch (RuntimeException e) {
            return ReproductionCheck.failed(name, "cannot run the evaluation again: " + e.getMessage());
        }
        boolean passed = true;
        List<String> details = new ArrayList<>();
        for (Map.Entry<String, Double> e : recorded.entrySet()) {
            Double value = metrics.get(e.getKey());
            boolean same = value != null && Math.abs(value - e.getValue()) <= 1e-12;
            passed &= same;
            details.add(String.format("%s %s: reproduced %s, recorded %s", same ? "matches" : "DIFFERS", e.getKey(), value, e.getValue()));
        }
        return new ReproductionCheck(name, passed, details);
    }

    /**
     * The reproducer for an evaluation's provenance: a module's registered one, or Tribuo's classification
     * evaluation; null if the entry is not an evaluation this process knows.
     */
    private static EvaluationReproducer reproducerFor(ObjectProvenance provenance) {
        for (EvaluationReproducer r : ServiceLoader.load(EvaluationReproducer.class)) {
            if (r.handles(provenance)) {
                return r;
            }
        }
        LabelEvaluationReproducer tribuo = new LabelEvaluationReproducer();
        return tribuo.handles(provenance) ? tribuo : null;
    }

    private static String instanceValue(ModelProvenance provenance, String key) {
        Provenance value = provenance.getInstanceProvenance().getMap().get(key);
        return value == null ? null : value.toString();
    }
}
