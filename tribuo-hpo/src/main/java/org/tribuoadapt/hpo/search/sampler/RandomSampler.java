package org.tribuoadapt.hpo.search.sampler;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.hpo.search.Direction;
import org.tribuoadapt.hpo.search.Distribution;
import org.tribuoadapt.hpo.search.Sampler;
import org.tribuoadapt.hpo.search.Trial;

import java.util.List;

/**
 * Independent uniform draws from each distribution (uniform in the logarithm for log ranges), as Optuna's
 * {@code RandomSampler}; random search is the baseline of Bergstra and Bengio, "Random Search for
 * Hyper-Parameter Optimization", JMLR 2012.
 */
public final class RandomSampler implements Sampler {

    @Config(description = "The seed; a draw depends only on it, the trial number and the parameter name.")
    private long seed = 12345L;

    private RandomSampler() {}

    /**
     * Creates a sampler.
     * @param seed The seed.
     */
    public RandomSampler(long seed) {
        this.seed = seed;
    }

    @Override
    public double sample(List<Trial> history, Direction direction, int trialNumber, String name, Distribution distribution) {
        return UniformDraw.draw(UniformDraw.generator(seed, trialNumber, name), distribution);
    }

    /**
     * Draws ignore the objectives, so any number of them is fine.
     * @return True.
     */
    @Override
    public boolean multiObjective() {
        return true;
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "Sampler");
    }

    @Override
    public String toString() {
        return "RandomSampler(seed=" + seed + ")";
    }
}
