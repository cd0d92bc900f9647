package org.tribuoadapt.core.nn.layers;

import java.util.List;

/**
 * A layer whose forward pass adds the outputs of some of its children to a residual stream: each such child (a
 * residual branch) maps tokens of width {@link #width()} to tokens of the same width, and the block adds its output to
 * the branch's residual input. The interface names the branches, so that a method can wrap a whole branch and see both
 * its input and its output, as the bottleneck adapters of Houlsby et al. (2019) and the parallel adapters of He et al.
 * (2022, "Towards a Unified View of Parameter-Efficient Transfer Learning") do.
 */
public interface ResidualBlock {

    /**
     * The names of the children whose outputs are added to the residual stream, in forward order.
     * @return The child names.
     */
    List<String> residualBranches();

    /**
     * The width of the residual stream, which is the input and output width of every branch.
     * @return The width.
     */
    int width();
}
