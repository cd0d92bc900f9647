package org.tribuoadapt.core.train;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenancable;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;

import java.io.Serializable;
import java.util.List;

/**
 * An epoch-level learning-rate schedule driven by validation figures: after every epoch but the last, the
 * {@link TrainingLoop} hands it the summaries of the epochs so far and sets the optimiser's learning rate to the rate
 * it returns (for example AccelAT in tribuo-robust, which lowers the rate when the validation accuracy stops rising).
 * A schedule is a pure function of the summaries, so the same run gives the same rates; it needs an optimiser whose
 * rate can be set ({@link NetworkOptimiser#setLearningRate}).
 */
public interface LearningRateSchedule extends Configurable, Provenancable<ConfiguredObjectProvenance>, Serializable {

    /**
     * The learning rate of the next epoch.
     * @param epochs The summaries of every finished epoch, oldest first; the last is the epoch that just ended.
     * @param currentRate The rate the last epoch used.
     * @return The next epoch's rate, positive and finite ({@code currentRate} to keep it).
     */
    double nextRate(List<EpochSummary> epochs, double currentRate);

    /**
     * The schedule's configuration as provenance.
     * @return The provenance.
     */
    @Override
    default ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "LearningRateSchedule");
    }
}
