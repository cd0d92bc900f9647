package org.tribuoadapt.hpo.search.objective;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.config.Configurable;
import org.tribuo.DataSource;
import org.tribuo.Example;
import org.tribuo.OutputFactory;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.provenance.DataSourceProvenance;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuoadapt.core.testing.SyntheticImages;

import java.util.Iterator;

/**
 * A configurable data source of core's {@link SyntheticImages} bar images, so a test configuration file can name one.
 */
public final class SyntheticBarsSource implements DataSource<Label>, Configurable {

    @Config(description = "How many examples.")
    private int examples = 60;

    @Config(description = "How many classes.")
    private int classes = 3;

    @Config(description = "Image height and width.")
    private int size = 6;

    @Config(description = "The seed.")
    private long seed = 1;

    private final LabelFactory factory = new LabelFactory();

    private SyntheticBarsSource() {}

    @Override
    public Iterator<Example<Label>> iterator() {
        return SyntheticImages.examples(examples, classes, size, seed).iterator();
    }

    @Override
    public OutputFactory<Label> getOutputFactory() {
        return factory;
    }

    @Override
    public DataSourceProvenance getProvenance() {
        return new SimpleDataSourceProvenance("synthetic-bars-" + examples + "-" + classes + "-" + size + "-" + seed, factory);
    }
}
