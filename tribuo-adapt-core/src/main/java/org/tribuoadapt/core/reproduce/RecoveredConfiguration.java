package org.tribuoadapt.core.reproduce;

import com.oracle.labs.mlrg.olcut.config.Configurable;
import com.oracle.labs.mlrg.olcut.config.ConfigurationManager;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import org.tribuo.ConfigurableDataSource;
import org.tribuo.Dataset;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.TrainerProvenance;

/**
 * The OLCUT configuration recorded in a provenance tree (a model's or an evaluation's), from which the trainers
 * and data sources that produced it can be created again. Every trainer in the tree gets the invocation count it
 * had, so that it draws the same random numbers.
 */
public final class RecoveredConfiguration {

    private final ConfigurationManager manager;
    private final ProvenanceUtil.ProvenanceOrdering ordering;

    /**
     * Extracts the configuration recorded in a provenance tree.
     * @param root The root of the tree, e.g. a model's or an evaluation's provenance.
     */
    public RecoveredConfiguration(ObjectProvenance root) {
        this.manager = new ConfigurationManager();
        this.manager.addConfiguration(ProvenanceUtil.extractConfiguration(root));
        this.ordering = ProvenanceUtil.orderProvenances(root);
    }

    /**
     * Creates the configured object a node of the tree describes.
     * @param node A configured-object provenance inside the tree (compared by identity).
     * @param type The expected type.
     * @param <T> The type.
     * @return The object.
     */
    public <T extends Configurable> T lookup(ConfiguredObjectProvenance node, Class<T> type) {
        Integer index = ordering.provenanceTracker.get(node);
        if (index == null) {
            throw new IllegalStateException("the provenance of " + node.getClassName() + " is not part of the recovered tree");
        }
        Configurable object = manager.lookup(ProvenanceUtil.computeName(node, index));
        if (!type.isInstance(object)) {
            throw new IllegalStateException("recovered a " + object.getClass().getName() + " where a " + type.getName()
                    + " was expected");
        }
        if (object instanceof Trainer && node instanceof TrainerProvenance) {
            Object count = ((TrainerProvenance) node).getInstanceValues().get("train-invocation-count").getValue();
            ((Trainer<?>) object).setInvocationCount(((Number) count).intValue());
        }
        return type.cast(object);
    }

    /**
     * Creates the trainer a trainer provenance describes, with its recorded invocation count.
     * @param provenance The trainer's provenance.
     * @return The trainer.
     */
    @SuppressWarnings("unchecked") // reproduction only handles classification, checked when the dataset is rebuilt
    public Trainer<Label> trainer(TrainerProvenance provenance) {
        if (!(provenance instanceof ConfiguredObjectProvenance)) {
            throw new IllegalStateException("trainer " + provenance.getClassName() + " is not configurable, so it cannot be recreated");
        }
        return lookup((ConfiguredObjectProvenance) provenance, Trainer.class);
    }

    /**
     * Loads the dataset a dataset provenance describes: a {@link MutableDataset} over a configurable data source.
     * @param provenance The dataset's provenance.
     * @return The dataset.
     */
    @SuppressWarnings("unchecked") // data sources of classification datasets produce labels, checked below
    public Dataset<Label> dataset(DataProvenance provenance) {
        if (!(provenance instanceof DatasetProvenance)) {
            throw new IllegalStateException("cannot rebuild data from a " + provenance.getClassName());
        }
        DatasetProvenance dataset = (DatasetProvenance) provenance;
        if (!dataset.getClassName().equals(MutableDataset.class.getName()) || !dataset.getTransformationProvenance().getList().isEmpty()) {
            throw new IllegalStateException("only untransformed MutableDatasets over configurable data sources can be rebuilt, found "
                    + dataset.getClassName());
        }
        DataProvenance source = dataset.getSourceProvenance();
        if (!(source instanceof ConfiguredObjectProvenance)) {
            throw new IllegalStateException("data source " + source.getClassName() + " is not configurable, so it cannot be reloaded");
        }
        ConfigurableDataSource<Label> data = lookup((ConfiguredObjectProvenance) source, ConfigurableDataSource.class);
        if (!(data.getOutputFactory().getUnknownOutput() instanceof Label)) {
            throw new IllegalStateException("data source " + source.getClassName() + " does not produce labels");
        }
        return new MutableDataset<>(data);
    }
}
