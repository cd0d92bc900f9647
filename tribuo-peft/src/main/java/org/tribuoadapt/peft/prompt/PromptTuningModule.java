package org.tribuoadapt.peft.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.tribuoadapt.core.nn.ForwardContext;
import org.tribuoadapt.core.nn.Initializers;
import org.tribuoadapt.core.nn.Parameter;
import org.tribuoadapt.peft.AdapterModule;
import org.tribuoadapt.peft.TargetLayer;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * The learned prompt of one adapter at a Transformer's stack of blocks: {@code prompt_embeddings} {@code [n, d]}.
 * The blocks read {@code [P; x]}, the {@code n} prompt tokens before the input's tokens {@code x} {@code [N, T, d]},
 * and the layers after them read the blocks' outputs at the input's {@code T} positions, so they see a sequence of the
 * length they saw before. With several prompt adapters active, each prepends its tokens in turn and removes as many
 * leading positions from the output.
 */
public final class PromptTuningModule extends AdapterModule {

    private final int virtualTokens;
    private final Parameter prompt;

    PromptTuningModule(TargetLayer target, NDManager manager, int virtualTokens, double initialStd, SplittableRandom rng) {
        super(target);
        this.virtualTokens = virtualTokens;
        int width = target.inFeatures();
        this.prompt = addWeight(manager, "prompt_embeddings", new Shape(virtualTokens, width));
        prompt.assign(Initializers.normal(virtualTokens * width, initialStd, rng));
    }

    /** Prepends the prompt to every sequence of the batch. */
    @Override
    public NDArray transformInput(NDArray input, ForwardContext context) {
        Shape shape = input.getShape();
        NDArray prompts = prompt.array().expandDims(0).broadcast(new Shape(shape.get(0), virtualTokens, shape.get(2)));
        return NDArrays.concat(new NDList(prompts, input), 1);
    }

    /** Drops the first {@code n} positions, which {@link #transformInput} added. */
    @Override
    public NDArray adapt(NDArray input, NDArray baseOutput, NDArray output, ForwardContext context) {
        return output.get(new NDIndex(":, {}:", virtualTokens));
    }

    /**
     * Always refuses: the prompt changes the sequence the blocks read.
     * @throws UnsupportedOperationException always.
     */
    @Override
    public void mergeIntoTarget() {
        throw new UnsupportedOperationException("the prompt at '" + target().path() + "' cannot be merged: "
                + PromptTuningSpec.NOT_MERGEABLE);
    }

    @Override
    public Map<String, Parameter> peftTensors() {
        return Map.of(prompt.name(), prompt);
    }

    /** @return The number of virtual tokens n. */
    @Override
    public int rank() {
        return virtualTokens;
    }

    @Override
    public String describe() {
        return "PromptTuning(" + virtualTokens + " tokens)";
    }
}
