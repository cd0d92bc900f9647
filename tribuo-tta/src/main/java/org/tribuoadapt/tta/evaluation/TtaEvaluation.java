package org.tribuoadapt.tta.evaluation;

import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.evaluation.Evaluation;
import org.tribuo.evaluation.metrics.MetricID;
import org.tribuo.evaluation.metrics.MetricTarget;
import org.tribuo.provenance.EvaluationProvenance;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of replaying a shifted stream through one test-time adaptation method, as a Tribuo
 * {@link Evaluation}: the online accuracy (each prediction made before the method saw any later batch) overall,
 * per domain and per severity, the latency per batch and its ratio to the Source model's on the same stream, and
 * the peak resident memory. Its provenance is the model's and a {@link TtaStreamProvenance} (scenario with its
 * seed, method settings, data).
 * <p>
 * Predictions are not kept, since a stream may hold millions of examples; {@link #getPredictions()} is empty.
 */
public final class TtaEvaluation implements Evaluation<Label> {

    /** The metric name of the overall online accuracy. */
    public static final String ACCURACY = "accuracy";
    /** The metric name of the mean latency per batch, in milliseconds. */
    public static final String MS_PER_BATCH = "ms-per-batch";
    /** The metric name of the latency ratio to Source. */
    public static final String LATENCY_RATIO = "latency-ratio";
    /** The metric name of the peak resident memory, in MiB. */
    public static final String PEAK_MEMORY_MIB = "peak-memory-mib";

    private final String method;
    private final List<DomainResult> domains;
    private final double msPerBatch;
    private final double medianMsPerBatch;
    private final double latencyRatio;
    private final double peakMemoryMiB;
    private final double memoryGrowthMiB;
    private final EvaluationProvenance provenance;

    /**
     * Creates an evaluation.
     * @param method The method's name.
     * @param domains The per-domain results, in stream order.
     * @param msPerBatch The mean time per batch.
     * @param medianMsPerBatch The median time per batch.
     * @param latencyRatio The median time per batch divided by Source's (medians, so that a garbage collection or a
     *                     late compilation does not decide the ratio).
     * @param peakMemoryMiB The peak resident memory during the replay.
     * @param memoryGrowthMiB The peak minus the resident memory at the start of the replay.
     * @param provenance The provenance.
     */
    public TtaEvaluation(String method, List<DomainResult> domains, double msPerBatch, double medianMsPerBatch,
                         double latencyRatio, double peakMemoryMiB, double memoryGrowthMiB,
                         EvaluationProvenance provenance) {
        this.method = method;
        this.domains = List.copyOf(domains);
        this.msPerBatch = msPerBatch;
        this.medianMsPerBatch = medianMsPerBatch;
        this.latencyRatio = latencyRatio;
        this.peakMemoryMiB = peakMemoryMiB;
        this.memoryGrowthMiB = memoryGrowthMiB;
        this.provenance = provenance;
    }

    /**
     * The method's name.
     * @return The name.
     */
    public String method() {
        return method;
    }

    /**
     * The per-domain results, in stream order.
     * @return The results.
     */
    public List<DomainResult> domains() {
        return domains;
    }

    /**
     * The online accuracy over the whole stream.
     * @return The accuracy.
     */
    public double accuracy() {
        long correct = 0;
        long total = 0;
        for (DomainResult d : domains) {
            correct += d.correct();
            total += d.total();
        }
        return (double) correct / total;
    }

    /**
     * The accuracy on one domain.
     * @param name The domain's name.
     * @return The accuracy.
     * @throws IllegalArgumentException listing the domains, if there is none by that name.
     */
    public double domainAccuracy(String name) {
        for (DomainResult d : domains) {
            if (d.name().equals(name)) {
                return d.accuracy();
            }
        }
        List<String> names = new ArrayList<>();
        domains.forEach(d -> names.add(d.name()));
        throw new IllegalArgumentException("no domain '" + name + "'; domains are " + names);
    }

    /**
     * The mean over domains of each severity of their accuracy (for a corruption scenario: the mean accuracy over
     * the corruptions at that severity). Domains of unknown severity (0) are left out.
     * @return Accuracy by severity, in increasing severity.
     */
    public Map<Integer, Double> severityAccuracy() {
        Map<Integer, double[]> sums = new TreeMap<>();
        for (DomainResult d : domains) {
            if (d.severity() > 0) {
                double[] s = sums.computeIfAbsent(d.severity(), k -> new double[2]);
                s[0] += d.accuracy();
                s[1]++;
            }
        }
        Map<Integer, Double> out = new TreeMap<>();
        sums.forEach((k, v) -> out.put(k, v[0] / v[1]));
        return out;
    }

    /**
     * The mean of the per-severity accuracies.
     * @return The mean, or NaN if no domain has a severity.
     */
    public double meanOverSeverities() {
        return severityAccuracy().values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /**
     * The mean time per batch.
     * @return Milliseconds.
     */
    public double msPerBatch() {
        return msPerBatch;
    }

    /**
     * The median time per batch.
     * @return Milliseconds.
     */
    public double medianMsPerBatch() {
        return medianMsPerBatch;
    }

    /**
     * The median time per batch relative to Source's on the same stream and machine.
     * @return The ratio (1 for Source).
     */
    public double latencyRatio() {
        return latencyRatio;
    }

    /**
     * The peak resident memory of the process during the replay (Linux; the Java heap elsewhere).
     * @return MiB.
     */
    public double peakMemoryMiB() {
        return peakMemoryMiB;
    }

    /**
     * The peak resident memory minus the resident memory when the replay started.
     * @return MiB.
     */
    public double memoryGrowthMiB() {
        return memoryGrowthMiB;
    }

    /**
     * The figures that depend only on the model, the stream and the method (not on timing), as a run records them
     * so that reproduction can compare them: {@code accuracy} and {@code accuracy/<domain>} per domain.
     * @return Metric name to value.
     */
    public Map<String, Double> reproducibleMetrics() {
        Map<String, Double> metrics = new java.util.LinkedHashMap<>();
        metrics.put(ACCURACY, accuracy());
        for (DomainResult d : domains) {
            metrics.put(ACCURACY + "/" + d.name(), d.accuracy());
        }
        return metrics;
    }

    @Override
    public Map<MetricID<Label>, Double> asMap() {
        MetricTarget<Label> all = MetricTarget.macroAverageTarget();
        Map<MetricID<Label>, Double> map = new LinkedHashMap<>();
        map.put(new MetricID<>(all, ACCURACY), accuracy());
        for (DomainResult d : domains) {
            map.put(new MetricID<>(all, ACCURACY + "/" + d.name()), d.accuracy());
        }
        severityAccuracy().forEach((s, a) -> map.put(new MetricID<>(all, ACCURACY + "/severity-" + s), a));
        map.put(new MetricID<>(all, MS_PER_BATCH), msPerBatch);
        map.put(new MetricID<>(all, LATENCY_RATIO), latencyRatio);
        map.put(new MetricID<>(all, PEAK_MEMORY_MIB), peakMemoryMiB);
        return Collections.unmodifiableMap(map);
    }

    /**
     * Always empty: predictions of a stream are not kept.
     * @return An empty list.
     */
    @Override
    public List<Prediction<Label>> getPredictions() {
        return Collections.emptyList();
    }

    @Override
    public EvaluationProvenance getProvenance() {
        return provenance;
    }

    /**
     * The stream part of the provenance.
     * @return The stream provenance.
     */
    public TtaStreamProvenance streamProvenance() {
        return (TtaStreamProvenance) provenance.getTestDatasetProvenance();
    }

    @Override
    public String toString() {
        return "TtaEvaluation(method=" + method + ",accuracy=" + accuracy() + ",msPerBatch=" + msPerBatch
                + ",latencyRatio=" + latencyRatio + ",peakMemoryMiB=" + peakMemoryMiB + ")";
    }
}
