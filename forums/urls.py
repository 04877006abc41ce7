"""Forum pages."""

from django.urls import path

from forums import announcement_views, api, views

app_name = "forums"

urlpatterns = [
    path("clusters/<slug:slug>/forum/", views.cluster_forum, name="cluster_forum"),
    path(
        "clusters/<slug:slug>/announcements/",
        announcement_views.announcements,
        name="announcements",
    ),
    path(
        "clusters/<slug:slug>/announcements/<id:announcement_id>/",
        announcement_views.announcement,
        name="announcement",
    ),
    path("clusters/<slug:slug>/moderation/", views.moderation_log, name="moderation_log"),
    path("forums/<id:room_id>/", views.room, name="room"),
    path("forums/<id:room_id>/new/", views.new_topic, name="new_topic"),
    path("topics/<id:topic_id>/", views.topic, name="topic"),
    path("topics/<id:topic_id>/reply/", views.reply, name="reply"),
    path("topics/<id:topic_id>/<str:action>/", views.topic_action, name="topic_action"),
    path("posts/<id:post_id>/edit/", views.edit_post, name="edit_post"),
    path("posts/<id:post_id>/history/", views.post_history, name="post_history"),
    path("posts/<id:post_id>/card/", views.post_card, name="post_card"),
    path("posts/<id:post_id>/<str:action>/", views.post_action, name="post_action"),
    path("search/", views.search, name="search"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/email/", views.email_preferences, name="email_preferences"),
    path("api/forums/<id:room_id>/topics/", api.room_topics, name="api_room_topics"),
    path("api/topics/<id:topic_id>/posts/", api.topic_posts, name="api_topic_posts"),
    path("api/topics/<id:topic_id>/events/", api.topic_events, name="api_topic_events"),
]
