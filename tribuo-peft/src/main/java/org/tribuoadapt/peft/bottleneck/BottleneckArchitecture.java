package org.tribuoadapt.peft.bottleneck;

import org.tribuoadapt.core.nn.layers.TransformerBlock;
import org.tribuoadapt.peft.AdapterTargets;

/**
 * The residual branches of a Transformer block that carry a bottleneck adapter. The choice is expressed as the
 * adapter's targets, so a configuration lists the branches in {@code targetModules}.
 */
public enum BottleneckArchitecture {
    /** After the attention branch and after the feed-forward branch (Houlsby et al. 2019). */
    HOULSBY(TransformerBlock.ATTENTION, TransformerBlock.FEED_FORWARD),
    /** After the feed-forward branch only (Pfeiffer et al. 2021, "AdapterFusion"). */
    PFEIFFER(TransformerBlock.FEED_FORWARD);

    private final String[] branches;

    BottleneckArchitecture(String... branches) {
        this.branches = branches;
    }

    /**
     * The targets of this architecture in every block: the branch names, matched as path suffixes.
     * @return The targets.
     */
    public AdapterTargets targets() {
        return AdapterTargets.modules(branches);
    }
}
