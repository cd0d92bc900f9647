package org.tribuoadapt.tta.evaluation;

/**
 * The online accuracy of one method on one domain of a stream.
 *
 * @param name The domain's name, e.g. {@code fog-3}.
 * @param shift The kind of shift (the corruption name, or {@code file}).
 * @param severity The severity, 1 to 5, or 0 when unknown.
 * @param correct The number of correct predictions.
 * @param total The number of examples.
 */
public record DomainResult(String name, String shift, int severity, long correct, long total) {

    /**
     * The accuracy.
     * @return {@code correct / total}.
     */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
