package org.tribuoadapt.peft.lora;

/**
 * How LoRA's factors start (PEFT's {@code init_lora_weights}).
 */
public enum LoraInit {
    /**
     * {@code A} kaiming-uniform with {@code a = sqrt(5)} (as for a Linear layer), {@code B = 0}, so the adapter starts
     * as a no-op (Hu et al. 2021; PEFT's {@code True}).
     */
    DEFAULT,
    /** {@code A ~ N(0, (1/r)^2)}, {@code B = 0} (PEFT's {@code "gaussian"}). */
    GAUSSIAN,
    /**
     * PiSSA (Meng et al. 2024): the factors are the top-r singular triplets of {@code W0}
     * ({@code A = sqrt(S_r / s) V_r^T}, {@code B = U_r sqrt(S_r / s)}) and the base weight becomes the residual
     * {@code W0 - s B A}, so the adapted layer starts equal to the base (PEFT's {@code "pissa"}).
     */
    PISSA,
    /**
     * CorDA (Yang et al. 2024): the factors are {@code r} components of the covariance-weighted decomposition
     * {@code W0 = U S (V^T C^{-1})}, the largest or the smallest ones by {@code LoraSpec}'s {@code cordaMethod}, with
     * the input covariance {@code C} read from its {@code covarianceFile}, and the base weight becomes the residual
     * {@code W0 - s B A} (PEFT's {@code "corda"}). Linear layers only.
     */
    CORDA,
    /** Both factors drawn as a Linear layer's default initialisation, so the adapter starts active (PEFT's {@code False}). */
    RANDOM;

    /**
     * Reads PEFT's {@code init_lora_weights} value.
     * @param value {@code true}, {@code false}, {@code gaussian}, {@code pissa} or {@code corda}.
     * @return The initialisation.
     * @throws IllegalArgumentException for other values.
     */
    public static LoraInit fromPeft(String value) {
        switch (value.toLowerCase(java.util.Locale.ROOT)) {
            case "true":
                return DEFAULT;
            case "false":
                return RANDOM;
            case "gaussian":
                return GAUSSIAN;
            case "pissa":
                return PISSA;
            case "corda":
                return CORDA;
            default:
                throw new IllegalArgumentException("init_lora_weights '" + value + "' is not supported; use true, false, "
                        + "'gaussian', 'pissa' or 'corda'");
        }
    }

    /**
     * PEFT's {@code init_lora_weights} value.
     * @return A Boolean or a String.
     */
    public Object toPeft() {
        switch (this) {
            case DEFAULT:
                return Boolean.TRUE;
            case RANDOM:
                return Boolean.FALSE;
            case GAUSSIAN:
                return "gaussian";
            case PISSA:
                return "pissa";
            default:
                return "corda";
        }
    }
}
