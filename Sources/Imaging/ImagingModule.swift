/// Namespace of the Imaging module.
public enum ImagingModule {}
