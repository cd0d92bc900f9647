package org.tribuoadapt.hpo.search;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;

import java.util.List;

/**
 * Decides from the intermediate values of a study's trials whether a running trial should stop early (Optuna's
 * {@code BasePruner.prune}), for {@link ActiveTrial#shouldPrune()}.
 */
public interface Pruner extends Configurable, Provenancable<ConfiguredObjectProvenance> {

    /**
     * What a pruner sees of the study: Optuna passes the study and the trial being judged.
     */
    interface Context {
        /**
         * The study's name.
         * @return The name.
         */
        String studyName();

        /**
         * The study's direction.
         * @return The direction.
         */
        Direction direction();

        /**
         * The study's trials as stored when the decision started, by number (the judged trial among them).
         * @return The trials.
         */
        List<Trial> trials();

        /**
         * The trial being judged, as stored when the decision started.
         * @return The trial.
         */
        Trial trial();

        /**
         * Records a system attribute of the judged trial (Optuna's successive halving keeps its rungs there).
         * @param key The key.
         * @param value A JSON value.
         */
        void setTrialSystemAttribute(String key, Object value);
    }

    /**
     * Whether the judged trial should be pruned now.
     * @param context The study and the trial.
     * @return True to prune.
     */
    boolean prune(Context context);
}
