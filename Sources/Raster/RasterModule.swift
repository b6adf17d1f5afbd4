/// Namespace of the Raster module.
public enum RasterModule {}
