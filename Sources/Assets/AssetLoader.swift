import Foundation
import Geometry

/// Loads any supported asset by its extension: .glb / .gltf (glTF 2.0), .obj (+ .mtl), .ply.
public enum AssetLoader {
    public static let supportedExtensions: Set<String> = ["glb", "gltf", "obj", "ply"]

    /// Loads the asset into the Z-up world (not yet normalised).
    public static func load(url: URL, limits: AssetLimits = .default) throws -> Scene {
        switch url.pathExtension.lowercased() {
        case "glb", "gltf": return try GLTFLoader.load(url: url, limits: limits)
        case "obj": return try OBJLoader.load(url: url, limits: limits)
        case "ply": return try PLYLoader.load(url: url, limits: limits)
        default:
            throw AssetError(.unsupportedFormat, message: "\(url.lastPathComponent): unsupported asset format '.\(url.pathExtension)' (expected .glb, .gltf, .obj or .ply)")
        }
    }

    /// Converts an OBJ / PLY / glTF file into an Objaverse-style .glb next to nothing else (bytes only).
    public static func convertToGLB(url: URL, limits: AssetLimits = .default) throws -> [UInt8] {
        try GLBWriter.encode(try load(url: url, limits: limits))
    }
}
