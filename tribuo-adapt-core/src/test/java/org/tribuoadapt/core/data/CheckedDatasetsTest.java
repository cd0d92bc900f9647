package org.tribuoadapt.core.data;

import org.junit.jupiter.api.Test;
import org.tribuo.Example;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.testing.SyntheticImages;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values a network cannot use are refused where data is read, with the source, the example and the feature named;
 * clean data gives the dataset Tribuo would build.
 */
public class CheckedDatasetsTest {

    private static final LabelFactory FACTORY = new LabelFactory();

    private static ListDataSource<Label> source(List<Example<Label>> examples) {
        return new ListDataSource<>(examples, FACTORY, new SimpleDataSourceProvenance("measurements.csv", FACTORY));
    }

    private static List<Example<Label>> withValue(double value) {
        List<Example<Label>> examples = new ArrayList<>(SyntheticImages.examples(5, 2, 2, 1));
        examples.add(3, new ArrayExample<>(new Label("c0"), new String[] {"px0", "px1", "px2", "px3"},
                new double[] {0.1, value, 0.2, 0.3}));
        return examples;
    }

    @Test
    public void nanInfinityAndFloatOverflowNameTheSourceExampleAndFeature() {
        for (double bad : new double[] {Double.NaN, Double.NEGATIVE_INFINITY, 1e308}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CheckedDatasets.load(source(withValue(bad))));
            assertTrue(e.getMessage().startsWith("example 3 (counting from 0) of "), e.getMessage());
            assertTrue(e.getMessage().contains("measurements.csv"), e.getMessage());
            assertTrue(e.getMessage().contains("feature 'px1' has the value " + bad), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CheckedDatasets.load(source(withValue(1e308))))
                .getMessage().contains("beyond the float32 range"));
    }

    @Test
    public void anExampleWithoutFeaturesIsNamed() {
        List<Example<Label>> examples = new ArrayList<>(SyntheticImages.examples(3, 2, 2, 1));
        examples.add(new ArrayExample<>(new Label("c1")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckedDatasets.load(source(examples)));
        assertTrue(e.getMessage().contains("example 3 (counting from 0) of ")
                && e.getMessage().contains("has duplicate feature names or no features (0 features)"), e.getMessage());
    }

    @Test
    public void cleanDataGivesTheDatasetTribuoBuilds() {
        ListDataSource<Label> source = source(SyntheticImages.examples(20, 2, 3, 2));
        MutableDataset<Label> checked = CheckedDatasets.load(source);
        MutableDataset<Label> plain = new MutableDataset<>(source);
        assertEquals(plain.getProvenance(), checked.getProvenance());
        assertEquals(plain.getData(), checked.getData());
        assertEquals(plain.getFeatureMap().size(), checked.getFeatureMap().size());
    }
}
