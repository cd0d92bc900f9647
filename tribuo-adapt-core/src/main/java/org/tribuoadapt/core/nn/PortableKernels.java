package org.tribuoadapt.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * The operations of {@link KernelPath#PORTABLE}: convolution and GELU composed from PyTorch operations that never
 * call oneDNN (strided slicing, stacking, matrix products on PyTorch's BLAS, {@code erf}). Both are differentiable
 * through autograd and agree with the oneDNN kernels to float32 rounding.
 */
public final class PortableKernels {

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    private PortableKernels() {}

    /**
     * A 2-D convolution with square kernels, equal stride and padding on both axes, dilation 1 and one group,
     * computed as im2col: the {@code k*k} strided views of the zero-padded input are stacked into
     * {@code [N, C*k*k, OH*OW]} columns and multiplied by the kernel reshaped to {@code [O, C*k*k]}.
     * @param input The batch {@code [N, C, H, W]}.
     * @param weight The kernel {@code [O, C, k, k]}.
     * @param bias The bias {@code [O]}, or null.
     * @param stride The stride.
     * @param padding The zero padding on each side.
     * @return The output {@code [N, O, OH, OW]}.
     */
    public static NDArray convolution(NDArray input, NDArray weight, NDArray bias, int stride, int padding) {
        Shape in = input.getShape();
        long batch = in.get(0);
        long channels = in.get(1);
        long outChannels = weight.getShape().get(0);
        int kernel = Math.toIntExact(weight.getShape().get(2));
        long outHeight = (in.get(2) + 2L * padding - kernel) / stride + 1;
        long outWidth = (in.get(3) + 2L * padding - kernel) / stride + 1;
        NDArray padded = padding == 0 ? input : input.pad(new Shape(padding, padding, padding, padding), 0);
        NDList views = new NDList(kernel * kernel);
        for (int i = 0; i < kernel; i++) {
            for (int j = 0; j < kernel; j++) {
                views.add(padded.get(new NDIndex(":, :, {}:{}:{}, {}:{}:{}", i, i + stride * (outHeight - 1) + 1, stride,
                        j, j + stride * (outWidth - 1) + 1, stride)));
            }
        }
        NDArray columns = NDArrays.stack(views, 2).reshape(batch, channels * kernel * kernel, outHeight * outWidth);
        NDArray out = weight.reshape(outChannels, channels * kernel * kernel).matMul(columns);
        if (bias != null) {
            out = out.add(bias.reshape(1, outChannels, 1));
        }
        return out.reshape(batch, outChannels, outHeight, outWidth);
    }

    /**
     * The exact GELU of Hendrycks and Gimpel (2016), {@code x/2 * (1 + erf(x / sqrt 2))}, PyTorch's default.
     * @param x The input.
     * @return A new array.
     */
    public static NDArray gelu(NDArray x) {
        return TapeConstants.times(x, 0.5).mul(TapeConstants.times(x, INV_SQRT2).erf().add(1.0f));
    }
}
