package org.tribuoadapt.onnx;

import ai.djl.ndarray.types.Shape;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;
import org.tribuoadapt.core.nn.Layer;
import org.tribuoadapt.core.nn.layers.LayerNorm;
import org.tribuoadapt.core.nn.layers.MultiHeadSelfAttention;
import org.tribuoadapt.core.nn.layers.PatchTokens;
import org.tribuoadapt.core.nn.layers.PositionEmbedding;
import org.tribuoadapt.core.nn.layers.SequenceTokens;
import org.tribuoadapt.core.nn.layers.TokenMeanPool;
import org.tribuoadapt.core.nn.layers.TransformerBlock;

import java.util.List;
import java.util.Map;

import static org.tribuoadapt.onnx.OnnxGraphWriter.nameOf;

/**
 * ONNX exporters of the Transformer encoder layers (Vaswani et al. 2017; ViT arrangement of Dosovitskiy et al. 2021):
 * {@link LayerNorm} (Ba et al. 2016; written out from {@code ReduceMean}, because {@code LayerNormalization} needs
 * opset 17 and Tribuo's operators are opset 13), {@link MultiHeadSelfAttention} (reshape, transpose, scaled
 * {@code MatMul}, {@code Softmax}), the residual {@link TransformerBlock}, and the token layers
 * {@link PatchTokens}, {@link SequenceTokens}, {@link PositionEmbedding} and {@link TokenMeanPool}.
 */
final class TransformerLayerExporters {

    private TransformerLayerExporters() {}

    static void registerAll(LayerExporterRegistry registry) {
        registry.register(LayerNorm.class, TransformerLayerExporters::layerNorm)
                .register(MultiHeadSelfAttention.class, TransformerLayerExporters::attention)
                .register(TransformerBlock.class, TransformerLayerExporters::block)
                .register(PatchTokens.class, TransformerLayerExporters::patchTokens)
                .register(SequenceTokens.class, (layer, input, shape, graph) -> graph.reshape(input, nameOf(layer),
                        shape.get(0) / layer.tokenWidth(), layer.tokenWidth()))
                .register(PositionEmbedding.class, (layer, input, shape, graph) -> graph.op(ONNXOperators.ADD,
                        nameOf(layer) + "/add", input, graph.weight(layer, layer.parameter("weight"))))
                .register(TokenMeanPool.class, (layer, input, shape, graph) -> graph.op(ONNXOperators.REDUCE_MEAN,
                        nameOf(layer) + "/mean", List.of(input), Map.of("axes", new int[] {1}, "keepdims", 0)));
    }

    /** {@code (x - mean) / sqrt(var + eps) * weight + bias} over the last axis, with the biased variance. */
    private static ONNXRef<?> layerNorm(LayerNorm layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph) {
        String name = nameOf(layer);
        Map<String, Object> lastAxis = Map.of("axes", new int[] {-1}, "keepdims", 1);
        ONNXRef<?> mean = graph.op(ONNXOperators.REDUCE_MEAN, name + "/mean", List.of(input), lastAxis);
        ONNXRef<?> centred = graph.op(ONNXOperators.SUB, name + "/centred", input, mean);
        ONNXRef<?> variance = graph.op(ONNXOperators.REDUCE_MEAN, name + "/variance",
                List.of(graph.op(ONNXOperators.MUL, name + "/squared", centred, centred)), lastAxis);
        ONNXRef<?> std = graph.op(NetworkOperators.SQRT, name + "/std",
                graph.op(ONNXOperators.ADD, name + "/variance_eps", variance, graph.scalar(name + "/eps", (float) layer.eps())));
        ONNXRef<?> normalised = graph.op(ONNXOperators.DIV, name + "/normalised", centred, std);
        ONNXRef<?> scaled = graph.op(ONNXOperators.MUL, name + "/scaled", normalised, graph.weight(layer, layer.weight()));
        return graph.op(ONNXOperators.ADD, name + "/shifted", scaled, graph.weight(layer, layer.bias()));
    }

    /**
     * {@code softmax(q k^T / sqrt(d_head)) v} per head (Vaswani et al. 2017, eq. 1), heads taken from the fused
     * {@code qkv} projection as {@code [N, T, 3, heads, d_head]}, then the output projection.
     */
    private static ONNXRef<?> attention(MultiHeadSelfAttention layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph) {
        String name = nameOf(layer);
        long tokens = inputShape.get(0);
        int heads = layer.heads();
        int headDim = layer.dim() / heads;
        ONNXRef<?> qkv = graph.layer(layer.children().get("qkv"), input, inputShape);
        ONNXRef<?> split = graph.reshape(qkv, name + "/qkv_heads", tokens, 3, heads, headDim);
        ONNXRef<?> stacked = graph.transpose(split, name + "/qkv_first", 2, 0, 3, 1, 4);
        ONNXRef<?> q = part(stacked, 0, name + "/q", graph);
        ONNXRef<?> k = part(stacked, 1, name + "/k", graph);
        ONNXRef<?> v = part(stacked, 2, name + "/v", graph);
        ONNXRef<?> scores = graph.op(ONNXOperators.DIV, name + "/scores",
                graph.op(NetworkOperators.MATMUL, name + "/qk", q, graph.transpose(k, name + "/k_t", 0, 1, 3, 2)),
                graph.scalar(name + "/sqrt_d", (float) Math.sqrt(headDim)));
        ONNXRef<?> weights = graph.op(ONNXOperators.SOFTMAX, name + "/softmax", List.of(scores), Map.of("axis", -1));
        ONNXRef<?> attended = graph.op(NetworkOperators.MATMUL, name + "/attended", weights, v);
        ONNXRef<?> merged = graph.reshape(graph.transpose(attended, name + "/tokens_first", 0, 2, 1, 3),
                name + "/merged", tokens, layer.dim());
        return graph.layer(layer.children().get("proj"), merged, new Shape(tokens, layer.dim()));
    }

    private static ONNXRef<?> part(ONNXRef<?> stacked, long index, String name, OnnxGraphWriter graph) {
        return graph.op(ONNXOperators.GATHER, name, List.of(stacked, graph.context().constant(name + "_index", index)),
                Map.of("axis", 0));
    }

    /** {@code x + drop1(attn(norm1(x)))}, then {@code x + drop2(mlp(norm2(x)))}. */
    private static ONNXRef<?> block(TransformerBlock layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph) {
        String name = nameOf(layer);
        Map<String, Layer> c = layer.children();
        ONNXRef<?> attended = graph.layer(c.get("drop1"), graph.layer(c.get("attn"),
                graph.layer(c.get("norm1"), input, inputShape), inputShape), inputShape);
        ONNXRef<?> x = graph.op(ONNXOperators.ADD, name + "/residual1", input, attended);
        ONNXRef<?> fed = graph.layer(c.get("drop2"), graph.layer(c.get("mlp"),
                graph.layer(c.get("norm2"), x, inputShape), inputShape), inputShape);
        return graph.op(ONNXOperators.ADD, name + "/residual2", x, fed);
    }

    /** {@code [N, D, h, w] -> [N, h*w, D]}, patches in row-major order. */
    private static ONNXRef<?> patchTokens(PatchTokens layer, ONNXRef<?> input, Shape inputShape, OnnxGraphWriter graph) {
        String name = nameOf(layer);
        ONNXRef<?> flat = graph.reshape(input, name + "/flat", inputShape.get(0), inputShape.get(1) * inputShape.get(2));
        return graph.transpose(flat, name + "/tokens", 0, 2, 1);
    }
}
