package org.tribuoadapt.tta.corruption;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * JPEG compression (Hendrycks and Dietterich 2019): the image is stored as an 8-bit grayscale JPEG by Java's
 * built-in ImageIO encoder (IJG quality scaling, as the reference's PIL) and decoded again. The quality per
 * severity is CIFAR-10-C's {@code 80, 65, 58, 50, 40}.
 */
final class JpegCompression implements ImageCorruption {

    private static final int[] QUALITY = {80, 65, 58, 50, 40};

    @Override
    public GrayImage apply(GrayImage image, int severity, SplittableRandom rng) {
        BufferedImage gray = new BufferedImage(image.width, image.height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = gray.getRaster();
        for (int y = 0; y < image.height; y++) {
            for (int x = 0; x < image.width; x++) {
                float v = Math.min(1f, Math.max(0f, image.pixels[y * image.width + x]));
                raster.setSample(x, y, 0, Math.round(v * 255));
            }
        }
        try {
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(encode(gray, QUALITY[severity - 1] / 100f)));
            float[] out = new float[image.pixels.length];
            for (int y = 0; y < image.height; y++) {
                for (int x = 0; x < image.width; x++) {
                    out[y * image.width + x] = decoded.getRaster().getSample(x, y, 0) / 255f;
                }
            }
            return new GrayImage(image.height, image.width, out);
        } catch (IOException e) {
            throw new UncheckedIOException("the JPEG round trip of a " + image.width + "x" + image.height
                    + " image failed: " + e.getMessage(), e);
        }
    }

    private static byte[] encode(BufferedImage image, float quality) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this Java runtime has no ImageIO JPEG writer");
        }
        ImageWriter writer = writers.next();
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, null), param);
            }
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }
}
