package org.tribuoadapt.reproduce;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares two provenance trees leaf by leaf. Timestamps (keys that name a time, such as {@code trained-at}
 * or {@code datasource-creation-time}) always differ between runs, so they are listed separately from the
 * differences that matter.
 */
public final class ProvenanceDiff {

    private final List<String> differences;
    private final List<String> timestampDifferences;

    private ProvenanceDiff(List<String> differences, List<String> timestampDifferences) {
        this.differences = differences;
        this.timestampDifferences = timestampDifferences;
    }

    /**
     * Compares two provenances.
     * @param original The recorded provenance.
     * @param reproduced The provenance of the reproduction.
     * @return The differences.
     */
    public static ProvenanceDiff compare(ObjectProvenance original, ObjectProvenance reproduced) {
        Map<String, String> a = flatten(original);
        Map<String, String> b = flatten(reproduced);
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<String> differences = new ArrayList<>();
        List<String> timestamps = new ArrayList<>();
        for (String key : keys) {
            String x = a.get(key);
            String y = b.get(key);
            if (x == null ? y != null : !x.equals(y)) {
                String line = key + ": " + x + " -> " + y;
                (isTimestamp(key) ? timestamps : differences).add(line);
            }
        }
        return new ProvenanceDiff(differences, timestamps);
    }

    private static boolean isTimestamp(String key) {
        String leaf = key.substring(key.lastIndexOf('.') + 1);
        return leaf.contains("time") || leaf.endsWith("-at");
    }

    /**
     * The provenance as dotted paths to leaf values.
     * @param provenance The provenance.
     * @return A sorted map of paths to values.
     */
    public static Map<String, String> flatten(ObjectProvenance provenance) {
        Map<String, String> out = new TreeMap<>();
        flatten("", provenance, out);
        return out;
    }

    private static void flatten(String prefix, Provenance provenance, Map<String, String> out) {
        if (provenance instanceof ObjectProvenance) {
            for (Pair<String, Provenance> p : (ObjectProvenance) provenance) {
                flatten(prefix + p.getA() + ".", p.getB(), out);
            }
        } else if (provenance instanceof MapProvenance) {
            for (Pair<String, ? extends Provenance> p : (MapProvenance<?>) provenance) {
                flatten(prefix + p.getA() + ".", p.getB(), out);
            }
        } else if (provenance instanceof ListProvenance) {
            int i = 0;
            for (Provenance p : ((ListProvenance<?>) provenance).getList()) {
                flatten(prefix + i++ + ".", p, out);
            }
        } else {
            out.put(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1), String.valueOf(provenance));
        }
    }

    /**
     * Differences other than timestamps.
     * @return One line per differing leaf.
     */
    public List<String> differences() {
        return differences;
    }

    /**
     * Differences in timestamps, which are expected.
     * @return One line per differing timestamp.
     */
    public List<String> timestampDifferences() {
        return timestampDifferences;
    }

    /**
     * Whether the provenances agree on everything but timestamps.
     * @return True if they match.
     */
    public boolean matches() {
        return differences.isEmpty();
    }
}
