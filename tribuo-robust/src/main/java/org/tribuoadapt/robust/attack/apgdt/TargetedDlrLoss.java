package org.tribuoadapt.robust.attack.apgdt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import org.tribuoadapt.robust.attack.AttackLoss;

/**
 * The targeted difference-of-logits-ratio loss of Croce and Hein (2020, equation 7):
 * {@code -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2)}, where {@code z_pi1 >= z_pi2 >= ...} are the sorted logits.
 * Maximising it pushes the target logit above the true one; dividing by a spread of the logits makes it invariant to
 * their scale and shift, which defeats defences that only rescale logits. It needs at least four classes.
 */
final class TargetedDlrLoss implements AttackLoss {

    /** Keeps the ratio finite when the logits are all equal, as the reference implementation does. */
    private static final float DENOMINATOR_FLOOR = 1e-12f;

    private final NDArray targets;

    /**
     * Creates the loss.
     * @param targets The target class of each example, {@code [N]}.
     */
    TargetedDlrLoss(NDArray targets) {
        this.targets = targets;
    }

    @Override
    public NDArray perExample(NDArray logits, NDArray labels) {
        long classes = logits.getShape().get(1);
        NDArray sorted = logits.sort(1);
        NDArray spread = sorted.get(new NDIndex(":, {}", classes - 1))
                .sub(sorted.get(new NDIndex(":, {}", classes - 3)).add(sorted.get(new NDIndex(":, {}", classes - 4)))
                        .mul(0.5f))
                .add(DENOMINATOR_FLOOR);
        NDArray trueLogit = logits.gather(labels.toType(DataType.INT64, false).reshape(-1, 1), 1).reshape(-1);
        NDArray targetLogit = logits.gather(targets.toType(DataType.INT64, false).reshape(-1, 1), 1).reshape(-1);
        return trueLogit.sub(targetLogit).div(spread).neg();
    }
}
