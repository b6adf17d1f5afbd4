/// Namespace of the Geometry module.
public enum GeometryModule {}
