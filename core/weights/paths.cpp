#include "weights/paths.h"

#include <filesystem>

namespace mm::weights {

std::string weightsPath(const std::string& outDir, const std::string& stage, const model::ModelConfig& mc) {
    return (std::filesystem::path(outDir) / (stage + "_" + mc.checkpointSuffix() + ".pth")).string();
}

std::string resumePath(const std::string& outDir, const std::string& stage, const model::ModelConfig& mc) {
    return (std::filesystem::path(outDir) / "checkpoints" / (stage + "_" + mc.checkpointSuffix() + "_resume.pt"))
        .string();
}

} // namespace mm::weights
