package org.tribuoadapt.hpo.hypergradient;

import org.tribuo.math.la.Matrix;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.Tensor;

/**
 * The inner product of two Tribuo tensors of the same shape, dense or sparse, which {@link Tensor} itself does not
 * offer. The hypergradient of the learning rate is a sum of such products.
 */
final class TensorInnerProduct {

    private TensorInnerProduct() {}

    /**
     * Computes {@code sum_i a_i b_i}.
     * @param a A vector or matrix.
     * @param b A tensor of the same kind and shape.
     * @return The inner product.
     * @throws IllegalArgumentException if the tensors are of different kinds or shapes.
     */
    static double dot(Tensor a, Tensor b) {
        if (a instanceof SGDVector && b instanceof SGDVector) {
            return ((SGDVector) a).dot((SGDVector) b);
        }
        if (a instanceof Matrix && b instanceof Matrix) {
            Matrix left = (Matrix) a;
            Matrix right = (Matrix) b;
            if (left.getDimension1Size() != right.getDimension1Size() || left.getDimension2Size() != right.getDimension2Size()) {
                throw new IllegalArgumentException("cannot take the inner product of a " + left.getDimension1Size() + "x"
                        + left.getDimension2Size() + " and a " + right.getDimension1Size() + "x" + right.getDimension2Size() + " matrix");
            }
            double sum = 0;
            for (int i = 0; i < left.getDimension1Size(); i++) {
                sum += left.getRow(i).dot(right.getRow(i));
            }
            return sum;
        }
        throw new IllegalArgumentException("cannot take the inner product of a " + a.getClass().getSimpleName()
                + " and a " + b.getClass().getSimpleName());
    }

    /**
     * Computes {@code sum_i a_i^2}.
     * @param a A tensor.
     * @return Its squared L2 norm.
     */
    static double squaredNorm(Tensor a) {
        double norm = a.twoNorm();
        return norm * norm;
    }
}
