/// Namespace of the Datasets module.
public enum DatasetsModule {}
