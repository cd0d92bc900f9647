package org.tribuoadapt.tta.selection;

/**
 * One row of a selection table: the configuration a scorer chose without target labels, and its target accuracy
 * against the oracle's, the best accuracy over the grid.
 *
 * @param scorer The scorer's name.
 * @param chosenSetting The setting of the configuration the scorer ranked first.
 * @param chosenScore The scorer's score of that configuration (greater is better).
 * @param chosenAccuracy The online target accuracy of that configuration.
 * @param oracleSetting The setting of the configuration with the best target accuracy.
 * @param oracleAccuracy The best target accuracy over the grid.
 */
public record SelectionRow(String scorer, String chosenSetting, double chosenScore, double chosenAccuracy,
                           String oracleSetting, double oracleAccuracy) {

    /**
     * How much accuracy the scorer's choice loses to the oracle's.
     * @return {@code oracleAccuracy - chosenAccuracy}, at least 0.
     */
    public double regret() {
        return oracleAccuracy - chosenAccuracy;
    }
}
