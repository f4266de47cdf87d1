// The Vulkan C API, plus functions for what Swift cannot import from it: function-like macros.
#pragma once
#include <vulkan/vulkan.h>

/// VK_MAKE_API_VERSION.
static inline uint32_t labmake_vk_make_api_version(uint32_t variant, uint32_t major, uint32_t minor, uint32_t patch) {
    return VK_MAKE_API_VERSION(variant, major, minor, patch);
}
static inline uint32_t labmake_vk_api_version_major(uint32_t version) { return VK_API_VERSION_MAJOR(version); }
static inline uint32_t labmake_vk_api_version_minor(uint32_t version) { return VK_API_VERSION_MINOR(version); }
static inline uint32_t labmake_vk_api_version_patch(uint32_t version) { return VK_API_VERSION_PATCH(version); }

/// vkCreateDebugUtilsMessengerEXT, looked up through the instance (it is an extension function).
static inline VkResult labmake_vk_create_debug_messenger(VkInstance instance, const VkDebugUtilsMessengerCreateInfoEXT *info,
                                                         VkDebugUtilsMessengerEXT *messenger) {
    PFN_vkCreateDebugUtilsMessengerEXT create =
        (PFN_vkCreateDebugUtilsMessengerEXT)vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT");
    if (!create) return VK_ERROR_EXTENSION_NOT_PRESENT;
    return create(instance, info, NULL, messenger);
}

static inline void labmake_vk_destroy_debug_messenger(VkInstance instance, VkDebugUtilsMessengerEXT messenger) {
    PFN_vkDestroyDebugUtilsMessengerEXT destroy =
        (PFN_vkDestroyDebugUtilsMessengerEXT)vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT");
    if (destroy) destroy(instance, messenger, NULL);
}
