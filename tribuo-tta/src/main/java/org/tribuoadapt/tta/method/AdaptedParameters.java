package org.tribuoadapt.tta.method;

/**
 * Which parameters an entropy-minimising method (Tent, EATA, SAR) changes at test time.
 */
public enum AdaptedParameters {
    /** The scales and shifts of the normalisation layers, as in Tent (Wang et al. 2021, section 3.2). */
    NORM_AFFINE,
    /**
     * The parameters of the model's active parameter-efficient adapter (for example a PeftModel's unmerged LoRA
     * matrices), leaving the base network as it was: the adapter, small like the norm layers' parameters, is what
     * the model already learned to change.
     */
    ADAPTER
}
