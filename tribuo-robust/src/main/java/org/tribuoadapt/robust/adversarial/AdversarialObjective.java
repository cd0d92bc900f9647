package org.tribuoadapt.robust.adversarial;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.PropertyException;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuoadapt.core.train.BatchObjective;
import org.tribuoadapt.core.train.TrainingObjective;
import org.tribuoadapt.robust.attack.GradientAttack;

import java.util.SplittableRandom;

/**
 * Adversarial training as the objective of a core {@code NetworkTrainer}: PGD adversarial training (Madry et al.
 * 2018, equation 2), the min-max problem {@code min_theta E max_{||delta|| <= eps} L(theta, x + delta, y)} whose inner
 * maximisation is the configured attack, or TRADES (Zhang et al. 2019, equation 5),
 * {@code CE(f(x), y) + beta * KL(f(x) || f(x'))} with {@code x'} maximising the KL term from the reference
 * implementation's start {@code x + 0.001 N(0, 1)}, whatever the configured attack's own start. Each minibatch is
 * attacked against the current network, in inference mode, before the optimiser step. The trainer's seed and invocation count
 * fix the attack's random starts, as they fix the initial weights and the batch order.
 * <p>
 * This replaces the former {@code AdversarialTrainer}: configure a {@code NetworkTrainer} with
 * {@code <property name="objective" value="..."/>} naming a component of this class.
 */
public final class AdversarialObjective implements TrainingObjective {

    @Config(mandatory = true, description = "The attack that crafts the training examples (the inner maximisation).")
    private GradientAttack attack;

    @Config(description = "PGD_AT (Madry et al. 2018) or TRADES (Zhang et al. 2019).")
    private AdversarialMethod method = AdversarialMethod.PGD_AT;

    @Config(description = "TRADES' weight beta of the KL robustness term.")
    private double tradesBeta = 6.0;

    /** For OLCUT. */
    private AdversarialObjective() {}

    /**
     * PGD adversarial training (Madry et al. 2018).
     * @param attack The training attack, usually a {@link org.tribuoadapt.robust.attack.PGDAttack}.
     */
    public AdversarialObjective(GradientAttack attack) {
        this(attack, AdversarialMethod.PGD_AT, 6.0);
    }

    /**
     * Adversarial training.
     * @param attack The training attack.
     * @param method PGD-AT or TRADES.
     * @param tradesBeta TRADES' beta (ignored by PGD-AT).
     */
    public AdversarialObjective(GradientAttack attack, AdversarialMethod method, double tradesBeta) {
        this.attack = attack;
        this.method = method;
        this.tradesBeta = tradesBeta;
        postConfig();
    }

    @Override
    public void postConfig() {
        if (!(tradesBeta >= 0) || Double.isInfinite(tradesBeta)) {
            throw new PropertyException("", "tradesBeta", "tradesBeta must be finite and >= 0, found " + tradesBeta);
        }
        if (method == AdversarialMethod.TRADES && !attack.startsFromGivenPoints()) {
            throw new PropertyException("", "attack", "TRADES starts its inner maximisation at x + 0.001 N(0, 1), "
                    + "which " + attack.name() + " cannot do; use PGDAttack, APGDAttack or FGSMAttack");
        }
    }

    /**
     * The attack used for training.
     * @return The attack.
     */
    public GradientAttack attack() {
        return attack;
    }

    @Override
    public BatchObjective newBatchObjective(SplittableRandom runRandom) {
        return new AdversarialBatchObjective(attack, method, tradesBeta, runRandom.split());
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "TrainingObjective");
    }

    @Override
    public String toString() {
        return "AdversarialObjective(attack=" + attack + ",method=" + method
                + (method == AdversarialMethod.TRADES ? ",tradesBeta=" + tradesBeta : "") + ")";
    }
}
